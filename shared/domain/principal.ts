/** The signed-in person a request acts for, from a validated access token. */
export interface Principal {
  /** Entra object id (`oid`), lowercase. */
  readonly userId: string;
  /** Login name (`preferred_username` or `upn`), lowercase: what a mail client sends to the gateway. */
  readonly loginName: string;
  /** Carries the app role `AppPasswords.Admin`. */
  readonly isAdmin: boolean;
  /** The token's `email` claim, when it carries one: where notices go instead of the login name. */
  readonly email?: string;
}

export const ADMIN_ROLE = "AppPasswords.Admin";

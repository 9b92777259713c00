/** The signed-in person as the page sees them, whichever way they signed in. */
export interface Session {
  readonly loginName: string;
  /** Holds `AppPasswords.Admin`: the page offers the admin view (the API checks the role on every call). */
  readonly isAdmin: boolean;
  getToken(): Promise<string>;
  signOut(): void;
}

/** The admin app role, as Entra ID puts it in `roles`. */
export const ADMIN_ROLE = "AppPasswords.Admin";

/**
 * The `roles` of an access token, read without checking it: only to decide what to show, never to grant
 * anything, since the API validates the token on every call.
 */
export function rolesOf(accessToken: string): string[] {
  const payload = accessToken.split(".")[1];
  if (payload === undefined) return [];
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((role): role is string => typeof role === "string") : [];
  } catch {
    return [];
  }
}

import type { Protocol } from "./protocols";

/** What happened, as the activity log names it. */
export const ACTIVITY_EVENTS = [
  "created",
  "renamed",
  "deleted",
  "first-use-from-new-address",
  "verify-locked-out",
  "login-name-released",
  "login-name-release-lifted",
  "throttle-reset",
] as const;
export type ActivityEventName = (typeof ACTIVITY_EVENTS)[number];

/** Who made a change: the person themselves, an administrator, or the daily clean-up. */
export const ACTIVITY_ACTORS = ["user", "admin", "clean-up"] as const;
export type ActivityActor = (typeof ACTIVITY_ACTORS)[number];

/** Events are kept this long; the daily clean-up deletes older ones. */
export const ACTIVITY_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * One entry of a person's activity log. It names the app password by id and name, and the address and
 * protocol of a login; it never holds a password, a hash or a token.
 */
export interface ActivityEvent {
  readonly at: Date;
  readonly event: ActivityEventName;
  readonly appPasswordId?: string;
  readonly name?: string;
  /** The name before a rename. */
  readonly previousName?: string;
  readonly by?: ActivityActor;
  /** With `by: "admin"`: the administrator who did it, by login name and object id. */
  readonly adminLoginName?: string;
  readonly adminUserId?: string;
  /** Of `login-name-released`: the login name taken from the account; of `login-name-release-lifted`: given back. */
  readonly loginName?: string;
  readonly ip?: string;
  readonly protocol?: Protocol;
}

/** One page of the log, newest first, and where the next one starts (absent on the last page). */
export interface ActivityPage {
  readonly items: readonly ActivityEvent[];
  readonly continuation?: string;
}

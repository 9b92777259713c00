import type { ActivityEvent, ActivityPage } from "./activity";
import type { InventoryStore } from "./inventory";
import type { Protocol } from "./protocols";
import type { Restrictions } from "./restrictions";
import type { ThrottleState } from "./verifyThrottle";

/** A person who has registered for two-step verification, with the bookkeeping for their app passwords. */
export interface UserRecord {
  readonly userId: string;
  /**
   * The login name (UPN) a mail client sends, lowercase; empty when the account holds none (an administrator
   * released it): such an account is never verified into a mailbox.
   */
  readonly loginName: string;
  /**
   * Login names an administrator released from this account: it cannot claim them again, until an
   * administrator lifts that release.
   */
  readonly releasedLoginNames: readonly string[];
  readonly registeredAt: Date;
  /** How many app passwords the user has; changes only together with them, in one transaction. */
  readonly appPasswordCount: number;
  /** Concurrency token: a write conditioned on it fails if anything changed the record since it was read. */
  readonly etag: string;
}

/** An app password as stored: its argon2id PHC string, never the password. */
export interface StoredAppPassword extends Restrictions {
  readonly userId: string;
  readonly id: string;
  readonly name: string;
  readonly hash: string;
  readonly createdAt: Date;
  readonly lastUsedAt?: Date;
  /** The mail client's address at that last use. */
  readonly lastUsedIp?: string;
  /** The protocol of that last use. */
  readonly lastUsedProtocol?: Protocol;
  /** The address buckets (see `ipBucket`) it verified from, most recent last: what makes an address new. */
  readonly seenAddresses?: readonly string[];
  readonly etag: string;
}

/** When, from where and how an app password was last used. */
export interface LastUse {
  readonly lastUsedAt: Date;
  readonly lastUsedIp?: string;
  readonly lastUsedProtocol?: Protocol;
}

export type NewAppPassword = Omit<StoredAppPassword, "etag" | "seenAddresses" | keyof LastUse>;

/**
 * Outcome of a conditional write: `conflict` when the user record changed since it was read (read it again
 * and retry), `taken` when the app password id is in use.
 */
export type WriteOutcome = "done" | "conflict" | "taken" | "not-found";

/** Persistence of users and their app passwords: one partition per user, so related writes are atomic. */
export interface AppPasswordStore extends InventoryStore {
  getUser(userId: string): Promise<UserRecord | undefined>;
  /** The user id registered under a login name (case-insensitive). */
  findUserIdByLoginName(loginName: string): Promise<string | undefined>;
  /** Whom a login name (case-insensitive) points at, with the concurrency token of that mapping. */
  getLoginName(loginName: string): Promise<{ readonly userId: string; readonly etag: string } | undefined>;
  /**
   * Points a login name at a user id: a new mapping without `etag` (`taken` if there is one), else re-points
   * the mapping read with that `etag` (`conflict` if it changed since).
   */
  saveLoginName(loginName: string, userId: string, etag?: string): Promise<WriteOutcome>;
  /**
   * Takes a login name from the account `user` (an administrator's release): clears it from the record if it
   * holds it and marks it released there, in one write conditioned on the record's concurrency token.
   */
  markLoginNameReleased(user: UserRecord, loginName: string): Promise<WriteOutcome>;
  /**
   * Lifts an administrator's release of `loginName` from the account `user`, so it may claim the name again:
   * one write conditioned on the record's concurrency token.
   */
  liftLoginNameRelease(user: UserRecord, loginName: string): Promise<WriteOutcome>;
  /** Forgets the mapping of a login name, unless it changed since it was read with `etag`. */
  releaseLoginName(loginName: string, etag: string): Promise<WriteOutcome>;
  /** Records the user's current login name on their record, unless it changed since it was read. */
  setLoginName(user: UserRecord, loginName: string): Promise<WriteOutcome>;
  /** Forgets a login name if it still points at `userId`. */
  deleteLoginName(loginName: string, userId: string): Promise<void>;
  /** Creates the user record and, when given, their first app password, atomically; `taken` if registered. */
  register(
    user: Omit<UserRecord, "etag" | "appPasswordCount" | "releasedLoginNames">,
    first?: NewAppPassword,
  ): Promise<WriteOutcome>;
  /** Adds an app password and counts it, provided the user record is unchanged since `user` was read. */
  addAppPassword(user: UserRecord, appPassword: NewAppPassword, loginName?: string): Promise<WriteOutcome>;
  listAppPasswords(userId: string): Promise<StoredAppPassword[]>;
  /** One app password of the user, if there is one. */
  getAppPassword(userId: string, id: string): Promise<StoredAppPassword | undefined>;
  /**
   * Renames an app password, changing nothing else (its hash and restrictions, which verify depends on,
   * stay as they are); `not-found` if it no longer exists.
   */
  renameAppPassword(userId: string, id: string, name: string): Promise<WriteOutcome>;
  /** Every app password of every user, a page at a time: for the daily clean-up. */
  scanAppPasswords(): AsyncIterable<readonly StoredAppPassword[]>;
  /**
   * Deletes the given app passwords and uncounts them, provided the user record is unchanged since `user`
   * was read; `not-found` if one of them no longer exists.
   */
  removeAppPasswords(user: UserRecord, ids: readonly string[]): Promise<WriteOutcome>;
  /** Records use of an app password (and an upgraded hash), unless it was deleted or changed meanwhile. */
  touchAppPassword(appPassword: StoredAppPassword, changes: UsageChanges): Promise<void>;
  /**
   * `touchAppPassword` and `saveThrottle` of its owner in one transaction (one request), provided neither the
   * app password nor the throttling state changed since read: `done`, or `conflict` and nothing written.
   */
  touchAndSaveThrottle(
    appPassword: StoredAppPassword,
    changes: UsageChanges,
    current: StoredThrottle,
    next: ThrottleState,
  ): Promise<"done" | "conflict">;
  /**
   * What verify needs, in one request: the app password `id` of `owner`, if there is one, the owner's current
   * login name, and the owner's throttling state. `owner` is a user id, or the key verify counts an unknown
   * login name under.
   */
  getVerifyRows(owner: string, id: string): Promise<VerifyRows>;
  /** The throttling state of `owner` alone, read again after a write lost a race. */
  getThrottle(owner: string): Promise<StoredThrottle>;
  /**
   * Writes the throttling state of `owner`, provided it did not change since `current` was read: the state
   * as now stored (with its new concurrency token), or `conflict`.
   */
  saveThrottle(owner: string, current: StoredThrottle, next: ThrottleState): Promise<StoredThrottle | "conflict">;
  /** Forgets the throttling state of `owner`; how many rows that removed. */
  resetThrottle(owner: string): Promise<number>;
  /**
   * Deletes every throttling row, of users and of unknown login names alike, last written before
   * `quietSince`; how many. A row written again meanwhile is kept. Scans the table a page at a time.
   */
  forgetQuietThrottles(quietSince: Date): Promise<number>;
  /**
   * Appends an event to the activity log of `owner` (a user id, or the key of an unknown login name); the
   * event's id, unique within the owner's log.
   */
  addActivity(owner: string, event: ActivityEvent): Promise<string>;
  /** The activity of `userId`, newest first, `limit` at most, from where `continuation` left off. */
  listActivity(userId: string, limit: number, continuation?: string): Promise<ActivityPage | "bad-continuation">;
  /** Deletes every activity event of everyone from before `before`; how many. */
  pruneActivity(before: Date): Promise<number>;
}

/** What a use of an app password writes to its row: when, from where, and an upgraded hash or a new address. */
export type UsageChanges = LastUse & { readonly hash?: string; readonly seenAddresses?: readonly string[] };

/** Throttling state as read, with the concurrency token of its row (absent when there is no row yet). */
export interface StoredThrottle {
  readonly state: ThrottleState;
  readonly etag?: string;
}

export interface VerifyRows {
  readonly candidate?: StoredAppPassword;
  /** The owner's login name, from their user record (absent for an unknown owner). */
  readonly loginName?: string;
  readonly throttle: StoredThrottle;
}

/** Table Storage could not be reached in time or refused the request: the caller should try again later. */
export class StorageUnavailableError extends Error {
  override readonly name = "StorageUnavailableError";
}

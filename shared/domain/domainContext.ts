import { randomUUID } from "node:crypto";
import type { ActivityEvent } from "./activity";
import { StorageUnavailableError, type AppPasswordStore } from "./appPasswordStore";
import { systemClock, type Clock } from "./clock";
import type { Notices } from "./notices";
import type { Refusal } from "./outcomes";
import type { PasswordHasher } from "./passwordHasher";
import type { Principal } from "./principal";

/** Tenant policy. */
export interface AppPasswordPolicy {
  readonly appPasswordsAllowed: boolean;
  readonly maxPerUser: number;
  /** Longest lifetime of a new app password in days, and its lifetime when none is asked for; absent: no limit. */
  readonly maxLifetimeDays?: number;
  /** Delete app passwords unused for this many days; absent: never. */
  readonly deleteUnusedAfterDays?: number;
}

/** What every room of the domain works with: the store, the hasher, the clock, the policy and the activity log. */
export interface DomainContext {
  readonly store: AppPasswordStore;
  readonly hasher: PasswordHasher;
  readonly now: Clock;
  /** The tenant policy in force now (an instance's cached copy of the saved one, see `policy.ts`). */
  readonly policy: () => Promise<AppPasswordPolicy>;
  /**
   * Appends to `owner`'s log after the change it records. A storage failure then loses the event, not the
   * change: a person who just created an app password must still see it.
   */
  readonly recordActivity: (owner: string, event: ActivityEvent) => Promise<void>;
}

export interface DomainContextOptions {
  readonly store: AppPasswordStore;
  readonly hasher: PasswordHasher;
  /** The tenant policy: fixed, or read at each decision (a policy administrators change at run time). */
  readonly policy: AppPasswordPolicy | (() => AppPasswordPolicy | Promise<AppPasswordPolicy>);
  readonly now?: Clock;
  /**
   * Told when an activity event could not be written (storage failed after the change it records was made):
   * the change stands, and the caller gets its answer.
   */
  readonly onActivityLost?: (event: ActivityEvent, error: Error) => void;
  /** Told of each event after it is recorded (or lost), to notify the person; never fails the change. */
  readonly notices?: Notices;
}

/** The context the rooms share, from the service's options. */
export function createDomainContext(options: DomainContextOptions): DomainContext {
  const { store, policy } = options;
  return {
    store,
    hasher: options.hasher,
    now: options.now ?? systemClock,
    policy: typeof policy === "function" ? async () => policy() : () => Promise.resolve(policy),
    async recordActivity(owner, event) {
      let eventId: string;
      try {
        eventId = await store.addActivity(owner, event);
      } catch (error) {
        if (!(error instanceof StorageUnavailableError)) throw error;
        options.onActivityLost?.(event, error);
        eventId = `lost_${randomUUID()}`;
      }
      await options.notices?.emit(owner, event, eventId);
    },
  };
}

/** A refusal with its code and what to tell the caller. */
export const refuse = <C extends Refusal["code"]>(code: C, detail: string) => ({ code, detail }) as const;

/** Who made a change, as the target's activity names them: an administrator by login name and object id. */
export const actorOf = (
  actor: Principal,
  targetUserId: string,
): Pick<ActivityEvent, "by" | "adminLoginName" | "adminUserId"> =>
  actor.userId === targetUserId
    ? { by: "user" }
    : { by: "admin", adminLoginName: actor.loginName, adminUserId: actor.userId };

export const DAY_MS = 24 * 60 * 60 * 1000;

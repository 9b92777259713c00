import { ACTIVITY_RETENTION_MS, type ActivityEvent, type ActivityPage } from "./activity";
import { appPasswordTag, generateAppPassword } from "./appPasswordSecret";
import {
  StorageUnavailableError,
  type AppPasswordStore,
  type NewAppPassword,
  type StoredAppPassword,
  type UserRecord,
} from "./appPasswordStore";
import { systemClock, type Clock } from "./clock";
import type { Refusal } from "./outcomes";
import type { PasswordHasher } from "./passwordHasher";
import type { Principal } from "./principal";
import type { Protocol } from "./protocols";
import type { RepeatLoginMemorySettings } from "./repeatLoginMemory";
import { CONFLICT, retryOnConflict } from "./retryOnConflict";
import { expiryAfter, isExpired } from "./restrictions";
import { createVerifier } from "./verify";
import { THROTTLE_RULES } from "./verifyThrottle";

/** An app password as its owner sees it: never the password or its hash. */
export interface AppPasswordSummary {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastUsedAt?: Date;
  readonly lastUsedIp?: string;
  readonly lastUsedProtocol?: Protocol;
  readonly expiresAt?: Date;
  /** Present with `expiresAt`: whether that time has passed (it no longer verifies, and awaits clean-up). */
  readonly expired?: boolean;
  readonly protocols?: readonly Protocol[];
  readonly allowedIps?: readonly string[];
}

/** What a person chooses when creating an app password; absent limits do not limit. */
export interface AppPasswordRequest {
  readonly name: string;
  readonly expiresInDays?: number;
  readonly protocols?: readonly Protocol[];
  readonly allowedIps?: readonly string[];
}

/** A freshly made app password, with the plaintext: returned once, by create or the first registration. */
export interface IssuedAppPassword extends AppPasswordSummary {
  readonly password: string;
}

export type RegisterOutcome =
  | { readonly code: "REGISTERED"; readonly registeredAt: Date; readonly appPassword?: IssuedAppPassword }
  | { readonly code: "ALREADY_REGISTERED"; readonly registeredAt: Date }
  | Refusal;
export type CreateOutcome = { readonly code: "CREATED"; readonly appPassword: IssuedAppPassword } | Refusal;
export type GetOutcome = { readonly code: "FOUND"; readonly item: AppPasswordSummary } | Refusal;
export type RenameOutcome = { readonly code: "RENAMED"; readonly item: AppPasswordSummary } | Refusal;
export type ResolveOutcome = { readonly code: "RESOLVED"; readonly userId: string } | Refusal;
export type ActivityOutcome = { readonly code: "ACTIVITY"; readonly page: ActivityPage } | Refusal;
/** What one run of the daily clean-up deleted. */
export interface CleanUpReport {
  readonly expired: number;
  readonly unused: number;
  /** Users whose due app passwords kept losing races to other changes: left for the next run. */
  readonly contended: number;
  readonly events: number;
}
export type ListOutcome =
  { readonly code: "LISTED"; readonly items: AppPasswordSummary[]; readonly limit: number } | Refusal;
export type RemoveOutcome = { readonly code: "REMOVED"; readonly count: number } | Refusal;
export type ReleaseLoginNameOutcome = { readonly code: "RELEASED" } | Refusal;
export type LiftLoginNameReleaseOutcome = { readonly code: "LIFTED" } | Refusal;
export type ResetThrottleOutcome = { readonly code: "RESET"; readonly rows: number } | Refusal;

export interface AppPasswordServiceOptions {
  readonly store: AppPasswordStore;
  readonly hasher: PasswordHasher;
  readonly policy: AppPasswordPolicy;
  /** Keys the throttling fingerprints and unknown login names' keys: see `VerifierOptions.throttleKey`. */
  readonly throttleKey: string;
  readonly now?: Clock;
  /**
   * Told when an activity event could not be written (storage failed after the change it records was made):
   * the change stands, and the caller gets its answer.
   */
  readonly onActivityLost?: (event: ActivityEvent, error: Error) => void;
  /** Bounds of verify's repeat-login memory; without them it is off. */
  readonly repeatLoginMemory?: RepeatLoginMemorySettings;
}

/** Tenant policy. */
export interface AppPasswordPolicy {
  readonly appPasswordsAllowed: boolean;
  readonly maxPerUser: number;
  /** Longest lifetime of a new app password in days, and its lifetime when none is asked for; absent: no limit. */
  readonly maxLifetimeDays?: number;
  /** Delete app passwords unused for this many days; absent: never. */
  readonly deleteUnusedAfterDays?: number;
}

/** Expired app passwords are deleted this long after they expired. */
export const DELETE_EXPIRED_AFTER_MS = 30 * 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Name of the app password given at the first registration when the person names none. */
export const INITIAL_APP_PASSWORD_NAME = "Initial app password";

export type AppPasswordService = ReturnType<typeof createAppPasswordService>;

/**
 * The app passwords domain: who may do what, the per-user limit, generation, and (from `verify.ts`)
 * verification. It knows nothing of HTTP or Azure; the store, the hasher and the clock come in through `options`.
 */
export function createAppPasswordService(options: AppPasswordServiceOptions) {
  const { store, hasher, policy, throttleKey } = options;
  const now = options.now ?? systemClock;

  /**
   * Appends to the log after the change it records. A storage failure then loses the event, not the
   * change: a person who just created an app password must still see it.
   */
  async function recordActivity(owner: string, event: ActivityEvent) {
    try {
      await store.addActivity(owner, event);
    } catch (error) {
      if (!(error instanceof StorageUnavailableError)) throw error;
      options.onActivityLost?.(event, error);
    }
  }

  /** Who made a change, as the target's activity names them: an administrator by login name and object id. */
  const actorOf = (
    actor: Principal,
    targetUserId: string,
  ): Pick<ActivityEvent, "by" | "adminLoginName" | "adminUserId"> =>
    actor.userId === targetUserId
      ? { by: "user" }
      : { by: "admin", adminLoginName: actor.loginName, adminUserId: actor.userId };

  const refuse = <C extends Refusal["code"]>(code: C, detail: string) => ({ code, detail }) as const;

  /** Who may manage (list, delete) the app passwords of `targetUserId`. */
  function mayManage(actor: Principal, targetUserId: string): Refusal | undefined {
    if (targetUserId !== actor.userId && !actor.isAdmin) {
      return refuse("FORBIDDEN", "Only an administrator can manage another user's app passwords.");
    }
    if (!policy.appPasswordsAllowed && !actor.isAdmin) {
      return refuse("APP_PASSWORDS_DISABLED", "Your organization does not allow app passwords.");
    }
    return undefined;
  }

  /** New app passwords are only ever issued to the person themselves: nobody else sees the plaintext. */
  function mayIssue(actor: Principal, targetUserId: string): Refusal | undefined {
    if (targetUserId === actor.userId) return undefined;
    return actor.isAdmin
      ? refuse(
          "SELF_SERVICE_ONLY",
          "App passwords are created by their owner; an administrator cannot create one for another user.",
        )
      : refuse("FORBIDDEN", "Only an administrator can act on another user's app passwords.");
  }

  async function issue(userId: string, request: AppPasswordRequest, lifetimeDays?: number) {
    const password = generateAppPassword();
    const createdAt = now();
    const record: NewAppPassword = {
      userId,
      id: appPasswordTag(userId, password),
      name: request.name,
      hash: await hasher.hash(password),
      createdAt,
      ...(lifetimeDays !== undefined && { expiresAt: expiryAfter(createdAt, lifetimeDays) }),
      ...(request.protocols !== undefined && { protocols: [...new Set(request.protocols)] }),
      ...(request.allowedIps !== undefined && { allowedIps: request.allowedIps }),
    };
    return { record, password };
  }

  const summary = (stored: Omit<StoredAppPassword, "etag" | "hash">): AppPasswordSummary => ({
    id: stored.id,
    name: stored.name,
    createdAt: stored.createdAt,
    ...(stored.lastUsedAt !== undefined && { lastUsedAt: stored.lastUsedAt }),
    ...(stored.lastUsedIp !== undefined && { lastUsedIp: stored.lastUsedIp }),
    ...(stored.lastUsedProtocol !== undefined && { lastUsedProtocol: stored.lastUsedProtocol }),
    ...(stored.expiresAt !== undefined && { expiresAt: stored.expiresAt, expired: isExpired(stored, now()) }),
    ...(stored.protocols !== undefined && { protocols: stored.protocols }),
    ...(stored.allowedIps !== undefined && { allowedIps: stored.allowedIps }),
  });

  const issued = (record: NewAppPassword, password: string): IssuedAppPassword => ({
    ...summary(record),
    password,
  });

  const createdEvent = (record: NewAppPassword): ActivityEvent => ({
    at: record.createdAt,
    event: "created",
    appPasswordId: record.id,
    name: record.name,
    by: "user",
  });

  /** The lifetime a new app password gets under the tenant's maximum, or the refusal of one beyond it. */
  function lifetime(asked: number | undefined): { days?: number } | Refusal {
    const max = policy.maxLifetimeDays;
    if (max !== undefined && asked !== undefined && asked > max) {
      return {
        ...refuse("LIFETIME_TOO_LONG", `Your organization allows app passwords to live at most ${max} days.`),
        maxDays: max,
      };
    }
    const days = asked ?? max;
    return days === undefined ? {} : { days };
  }

  /** Who may read the activity of `targetUserId`: its owner and administrators. */
  function mayReadActivity(actor: Principal, targetUserId: string): Refusal | undefined {
    return targetUserId === actor.userId || actor.isAdmin
      ? undefined
      : refuse("FORBIDDEN", "Only an administrator can read another user's activity.");
  }

  const deletedEvent = (
    stored: StoredAppPassword,
    by: Pick<ActivityEvent, "by" | "adminLoginName" | "adminUserId">,
  ): ActivityEvent => ({
    at: now(),
    event: "deleted",
    appPasswordId: stored.id,
    name: stored.name,
    ...by,
  });

  const loginNameInUse = (loginName: string) =>
    refuse(
      "LOGIN_NAME_IN_USE",
      `The login name ${loginName} belongs to another account. An administrator can release it if that account no longer uses it.`,
    );

  /**
   * Points the caller's login name (which their token proved) at them. A name another account holds is never
   * taken away from it: held while its user record carries the name, and from the moment its mapping is
   * written, before that record exists. A name whose holder moved on (renamed, or released by an
   * administrator) passes on, but never back to an account it was released from (`own`: the caller's record).
   */
  async function claimLoginName(actor: Principal, own: UserRecord | undefined): Promise<Refusal | undefined> {
    if (own?.releasedLoginNames.includes(actor.loginName)) return loginNameInUse(actor.loginName);
    const outcome = await retryOnConflict<"done" | Refusal>(async () => {
      const mapping = await store.getLoginName(actor.loginName);
      if (mapping?.userId === actor.userId) return "done";
      if (mapping) {
        const holder = await store.getUser(mapping.userId);
        if (holder === undefined || holder.loginName === actor.loginName) return loginNameInUse(actor.loginName);
      }
      const saved = await store.saveLoginName(actor.loginName, actor.userId, mapping?.etag);
      return saved === "done" ? "done" : CONFLICT;
    });
    return outcome === "done" ? undefined : outcome;
  }

  const service = {
    ...createVerifier({
      store,
      hasher,
      now,
      recordActivity,
      throttleKey,
      ...(options.repeatLoginMemory && { repeatLoginMemory: options.repeatLoginMemory }),
    }),

    /**
     * Records that the person registered for two-step verification. The first time, and while the tenant
     * allows app passwords, they are given their first app password.
     */
    async register(actor: Principal, targetUserId: string, name?: string): Promise<RegisterOutcome> {
      const refusal = mayIssue(actor, targetUserId);
      if (refusal) return refusal;
      const existing = await store.getUser(actor.userId);
      // Every time, not only when the name changed: a lost mapping is written again, a released name refused.
      const inUse = await claimLoginName(actor, existing);
      if (inUse) return inUse;
      if (existing) {
        // The person's login name changed (a rename in Entra ID): mail clients now send the new one.
        if (existing.loginName !== actor.loginName) {
          await store.setLoginName(existing, actor.loginName);
          if (existing.loginName !== "") await store.deleteLoginName(existing.loginName, actor.userId);
        }
        return { code: "ALREADY_REGISTERED", registeredAt: existing.registeredAt };
      }

      const registeredAt = now();
      const user = { userId: actor.userId, loginName: actor.loginName, registeredAt };
      const first = policy.appPasswordsAllowed
        ? await issue(actor.userId, { name: name ?? INITIAL_APP_PASSWORD_NAME }, policy.maxLifetimeDays)
        : undefined;
      if ((await store.register(user, first?.record)) === "done") {
        if (first) await recordActivity(actor.userId, createdEvent(first.record));
        return {
          code: "REGISTERED",
          registeredAt,
          ...(first && { appPassword: issued(first.record, first.password) }),
        };
      }
      // A concurrent registration of the same person won: theirs stands.
      const winner = await store.getUser(actor.userId);
      return winner
        ? { code: "ALREADY_REGISTERED", registeredAt: winner.registeredAt }
        : refuse("CONTENTION", "The registration changed while it was being recorded. Try again.");
    },

    /** Creates an app password, with the restrictions asked for, unless the user already has the maximum. */
    async create(actor: Principal, targetUserId: string, request: AppPasswordRequest): Promise<CreateOutcome> {
      const refusal = mayIssue(actor, targetUserId);
      if (refusal) return refusal;
      if (!policy.appPasswordsAllowed) {
        return refuse("APP_PASSWORDS_DISABLED", "Your organization does not allow app passwords.");
      }
      const days = lifetime(request.expiresInDays);
      if ("code" in days) return days;
      // The hash, which is what a create costs, runs while the user record is read the first time.
      const [first, firstRead] = await Promise.all([
        issue(actor.userId, request, days.days),
        store.getUser(actor.userId),
      ]);
      let fresh = first;
      let attempts = 0;
      return retryOnConflict<CreateOutcome>(async () => {
        const user: UserRecord | undefined = attempts++ === 0 ? firstRead : await store.getUser(actor.userId);
        if (!user) {
          return refuse(
            "REGISTRATION_REQUIRED",
            "Register for two-step verification first: POST /api/users/me/registration.",
          );
        }
        if (user.appPasswordCount >= policy.maxPerUser) {
          return {
            ...refuse(
              "APP_PASSWORD_LIMIT_REACHED",
              `You already have ${policy.maxPerUser} app passwords, the most allowed. Delete one of your existing app passwords first, then create a new one.`,
            ),
            limit: policy.maxPerUser,
          };
        }
        const loginName = user.loginName === actor.loginName ? undefined : actor.loginName;
        if (loginName !== undefined) {
          const inUse = await claimLoginName(actor, user);
          if (inUse) return inUse;
        }
        const outcome = await store.addAppPassword(user, fresh.record, loginName);
        switch (outcome) {
          case "done":
            if (loginName !== undefined && user.loginName !== "") {
              await store.deleteLoginName(user.loginName, actor.userId);
            }
            await recordActivity(actor.userId, createdEvent(fresh.record));
            return { code: "CREATED", appPassword: issued(fresh.record, fresh.password) };
          case "taken":
            // Another of this user's app passwords has the same 32-bit id: draw again (about 1 in 10^8).
            fresh = await issue(actor.userId, request, days.days);
            return CONFLICT;
          case "conflict":
          case "not-found":
            return CONFLICT;
        }
      });
    },

    /** The user's app passwords, oldest first, without secrets. */
    async list(actor: Principal, targetUserId: string): Promise<ListOutcome> {
      const refusal = mayManage(actor, targetUserId);
      if (refusal) return refusal;
      const stored = await store.listAppPasswords(targetUserId);
      const items = stored.map(summary).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      return { code: "LISTED", items, limit: policy.maxPerUser };
    },

    /** Deletes one app password; it stops working at once. */
    async remove(actor: Principal, targetUserId: string, id: string): Promise<RemoveOutcome> {
      const refusal = mayManage(actor, targetUserId);
      if (refusal) return refusal;
      const notFound = refuse("APP_PASSWORD_NOT_FOUND", `This user has no app password with id "${id}".`);
      const outcome = await retryOnConflict(async () => {
        const [user, stored] = await Promise.all([store.getUser(targetUserId), store.getAppPassword(targetUserId, id)]);
        if (!user || !stored) return notFound;
        const removed = await store.removeAppPasswords(user, [id]);
        if (removed === "done") return stored;
        return removed === "not-found" ? notFound : CONFLICT;
      });
      if ("code" in outcome) return outcome;
      await recordActivity(targetUserId, deletedEvent(outcome, actorOf(actor, targetUserId)));
      return { code: "REMOVED", count: 1 };
    },

    /** Deletes all of a user's app passwords at once. */
    async removeAll(actor: Principal, targetUserId: string): Promise<RemoveOutcome> {
      const refusal = mayManage(actor, targetUserId);
      if (refusal) return refusal;
      const outcome = await retryOnConflict(async () => {
        const user = await store.getUser(targetUserId);
        if (!user) return [];
        const removed = await store.listAppPasswords(targetUserId);
        if (removed.length === 0) return [];
        const written = await store.removeAppPasswords(
          user,
          removed.map((stored) => stored.id),
        );
        return written === "done" ? removed : CONFLICT;
      });
      if ("code" in outcome) return outcome;
      const by = actorOf(actor, targetUserId);
      for (const stored of outcome) await recordActivity(targetUserId, deletedEvent(stored, by));
      return { code: "REMOVED", count: outcome.length };
    },

    /** One app password of the user, without secrets. */
    async get(actor: Principal, targetUserId: string, id: string): Promise<GetOutcome> {
      const refusal = mayManage(actor, targetUserId);
      if (refusal) return refusal;
      const stored = await store.getAppPassword(targetUserId, id);
      if (!stored) return refuse("APP_PASSWORD_NOT_FOUND", `This user has no app password with id "${id}".`);
      return { code: "FOUND", item: summary(stored) };
    },

    /** Gives an app password another name; nothing else about it changes, and it keeps working as before. */
    async rename(actor: Principal, targetUserId: string, id: string, name: string): Promise<RenameOutcome> {
      const refusal = mayManage(actor, targetUserId);
      if (refusal) return refusal;
      const notFound = refuse("APP_PASSWORD_NOT_FOUND", `This user has no app password with id "${id}".`);
      const stored = await store.getAppPassword(targetUserId, id);
      if (!stored) return notFound;
      if ((await store.renameAppPassword(targetUserId, id, name)) !== "done") return notFound;
      await recordActivity(targetUserId, {
        at: now(),
        event: "renamed",
        appPasswordId: id,
        name,
        previousName: stored.name,
        ...actorOf(actor, targetUserId),
      });
      return { code: "RENAMED", item: summary({ ...stored, name }) };
    },

    /**
     * The user a route's `{user}` names: `me`, an object id, or (for an administrator) a login name in any
     * case. Anyone else naming another person is refused before anything is looked up, so the answer tells
     * them nothing about who exists.
     */
    async resolveUser(actor: Principal, param: string): Promise<ResolveOutcome> {
      const value = param.toLowerCase();
      if (param === "me" || value === actor.loginName) return { code: "RESOLVED", userId: actor.userId };
      if (OBJECT_ID.test(value)) return { code: "RESOLVED", userId: value };
      if (!actor.isAdmin) return refuse("FORBIDDEN", "Only an administrator can name another user.");
      const userId = await store.findUserIdByLoginName(value);
      return userId === undefined
        ? refuse("USER_NOT_FOUND", `Nobody with the login name "${value}" has registered.`)
        : { code: "RESOLVED", userId };
    },

    /** The user's activity, newest first, a page of at most `limit` events. */
    async listActivity(
      actor: Principal,
      targetUserId: string,
      limit: number,
      continuation?: string,
    ): Promise<ActivityOutcome> {
      const refusal = mayReadActivity(actor, targetUserId);
      if (refusal) return refusal;
      const page = await store.listActivity(targetUserId, limit, continuation);
      if (page === "bad-continuation") {
        return refuse("INVALID_CONTINUATION", "The continuation does not come from this user's activity.");
      }
      return { code: "ACTIVITY", page };
    },

    /**
     * The daily clean-up: deletes app passwords 30 days after they expired and, under the tenant policy,
     * those unused for that many days (each deletion uncounted in the same transaction and logged), and
     * activity older than 90 days.
     */
    async cleanUp(): Promise<CleanUpReport> {
      const at = now();
      const unusedSince =
        policy.deleteUnusedAfterDays === undefined ? undefined : at.getTime() - policy.deleteUnusedAfterDays * DAY_MS;
      const reason = (stored: StoredAppPassword): "expired" | "unused" | undefined => {
        if (stored.expiresAt !== undefined && stored.expiresAt.getTime() <= at.getTime() - DELETE_EXPIRED_AFTER_MS) {
          return "expired";
        }
        const lastUsed = stored.lastUsedAt ?? stored.createdAt;
        return unusedSince !== undefined && lastUsed.getTime() <= unusedSince ? "unused" : undefined;
      };
      const users = new Set<string>();
      for await (const page of store.scanAppPasswords()) {
        for (const stored of page) if (reason(stored) !== undefined) users.add(stored.userId);
      }
      const report = { expired: 0, unused: 0, contended: 0, events: 0 };
      for (const userId of users) {
        const removed = await retryOnConflict(async () => {
          const user = await store.getUser(userId);
          if (!user) return [];
          // Read again under the user record just read: one used or deleted since the scan is left alone.
          const due = (await store.listAppPasswords(userId)).filter((stored) => reason(stored) !== undefined);
          if (due.length === 0) return [];
          const written = await store.removeAppPasswords(
            user,
            due.map((stored) => stored.id),
          );
          return written === "done" ? due : CONFLICT;
        });
        if ("code" in removed) {
          report.contended++;
          continue;
        }
        for (const stored of removed) {
          report[reason(stored) ?? "unused"]++;
          await recordActivity(userId, { ...deletedEvent(stored, { by: "clean-up" }), at });
        }
      }
      report.events = await store.pruneActivity(new Date(at.getTime() - ACTIVITY_RETENTION_MS));
      return report;
    },

    /**
     * Frees a login name (admin only), so that the next account whose token proves it can claim it: for a
     * name Entra ID gave to someone new while the account that held it still exists here. Complete and final:
     * first the holder's record gives the name up and marks it released (so no verify answers it for that
     * account from then on, and the account can never claim it again), then the mapping goes.
     */
    async releaseLoginName(actor: Principal, loginName: string): Promise<ReleaseLoginNameOutcome> {
      if (!actor.isAdmin) return refuse("FORBIDDEN", "Only an administrator can release a login name.");
      const name = loginName.toLowerCase();
      let releasedFrom: string | undefined;
      const outcome = await retryOnConflict<"done" | Refusal>(async () => {
        const mapping = await store.getLoginName(name);
        // Gone, or claimed by another account since this release took it from its holder: done either way.
        if (!mapping || (releasedFrom !== undefined && mapping.userId !== releasedFrom)) {
          return releasedFrom === undefined
            ? refuse("LOGIN_NAME_NOT_FOUND", `No account holds the login name ${name}.`)
            : "done";
        }
        const holder = await store.getUser(mapping.userId);
        if (holder && (holder.loginName === name || !holder.releasedLoginNames.includes(name))) {
          if ((await store.markLoginNameReleased(holder, name)) !== "done") return CONFLICT;
        }
        releasedFrom = mapping.userId;
        const deleted = await store.releaseLoginName(name, mapping.etag);
        return deleted === "done" || deleted === "not-found" ? "done" : CONFLICT;
      });
      if (outcome !== "done") return outcome;
      if (releasedFrom !== undefined) {
        await recordActivity(releasedFrom, {
          at: now(),
          event: "login-name-released",
          loginName: name,
          ...actorOf(actor, ""),
        });
      }
      return { code: "RELEASED" };
    },

    /**
     * Lets the account `targetUserId` claim `loginName` again (admin only), after an administrator released
     * it from that account: for a name Entra ID gave back to the person it was taken from. The account holds
     * the name again only once its token proves it (the next time the person opens the page) and no other
     * account holds it.
     */
    async liftLoginNameRelease(
      actor: Principal,
      targetUserId: string,
      loginName: string,
    ): Promise<LiftLoginNameReleaseOutcome> {
      if (!actor.isAdmin) return refuse("FORBIDDEN", "Only an administrator can lift the release of a login name.");
      const name = loginName.toLowerCase();
      const outcome = await retryOnConflict<"done" | Refusal>(async () => {
        const user = await store.getUser(targetUserId);
        if (!user?.releasedLoginNames.includes(name)) {
          return refuse("LOGIN_NAME_NOT_FOUND", `The login name ${name} was not released from this account.`);
        }
        return (await store.liftLoginNameRelease(user, name)) === "done" ? "done" : CONFLICT;
      });
      if (outcome !== "done") return outcome;
      await recordActivity(targetUserId, {
        at: now(),
        event: "login-name-release-lifted",
        loginName: name,
        ...actorOf(actor, targetUserId),
      });
      return { code: "LIFTED" };
    },

    /** Lifts every verify lockout of a user (admin only): their per-IP and user-wide failure counts. */
    async resetThrottle(actor: Principal, targetUserId: string): Promise<ResetThrottleOutcome> {
      if (!actor.isAdmin) return refuse("FORBIDDEN", "Only an administrator can reset sign-in throttling.");
      const rows = await store.resetThrottle(targetUserId);
      await recordActivity(targetUserId, { at: now(), event: "throttle-reset", ...actorOf(actor, targetUserId) });
      return { code: "RESET", rows };
    },

    /**
     * Deletes the throttling rows nobody wrote to for `THROTTLE_RULES.forgetQuietAfterMs`, of users and of
     * unknown login names alike (so both keep behaving the same); how many. Run daily by a timer.
     */
    async forgetQuietThrottles(): Promise<number> {
      return store.forgetQuietThrottles(new Date(now().getTime() - THROTTLE_RULES.forgetQuietAfterMs));
    },
  };
  return service;
}

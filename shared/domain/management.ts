import type { ActivityPage } from "./activity";
import { mayAdminister, mayIssue, mayManage, mayReadActivity } from "./access";
import {
  createdEvent,
  deletedEvent,
  issue,
  issued,
  summary,
  type AppPasswordRequest,
  type AppPasswordSummary,
  type IssuedAppPassword,
} from "./appPasswordRecords";
import type { UserRecord } from "./appPasswordStore";
import { actorOf, refuse, type AppPasswordPolicy, type DomainContext } from "./domainContext";
import type { LoginNames } from "./loginNames";
import type { Refusal } from "./outcomes";
import type { Principal } from "./principal";
import { CONFLICT, retryOnConflict } from "./retryOnConflict";

// A person's app passwords, managed by them or an administrator: create, list, get, rename, delete, activity.

export type CreateOutcome = { readonly code: "CREATED"; readonly appPassword: IssuedAppPassword } | Refusal;
export type GetOutcome = { readonly code: "FOUND"; readonly item: AppPasswordSummary } | Refusal;
export type RenameOutcome = { readonly code: "RENAMED"; readonly item: AppPasswordSummary } | Refusal;
export type ActivityOutcome = { readonly code: "ACTIVITY"; readonly page: ActivityPage } | Refusal;
export type ListOutcome =
  { readonly code: "LISTED"; readonly items: AppPasswordSummary[]; readonly limit: number } | Refusal;
export type RemoveOutcome = { readonly code: "REMOVED"; readonly count: number } | Refusal;
export type ResetThrottleOutcome = { readonly code: "RESET"; readonly rows: number } | Refusal;

/** The lifetime a new app password gets under the tenant's maximum, or the refusal of one beyond it. */
function lifetime(policy: AppPasswordPolicy, asked: number | undefined): { days?: number } | Refusal {
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

const notFound = (id: string) => refuse("APP_PASSWORD_NOT_FOUND", `This user has no app password with id "${id}".`);

/** Management over one context. */
export function createManagement(context: DomainContext, loginNames: LoginNames) {
  const { store, now, policy, recordActivity } = context;
  return {
    /** Creates an app password, with the restrictions asked for, unless the user already has the maximum. */
    async create(actor: Principal, targetUserId: string, request: AppPasswordRequest): Promise<CreateOutcome> {
      const refusal = mayIssue(actor, targetUserId);
      if (refusal) return refusal;
      const current = await policy();
      if (!current.appPasswordsAllowed) {
        return refuse("APP_PASSWORDS_DISABLED", "Your organization does not allow app passwords.");
      }
      const { maxPerUser } = current;
      const days = lifetime(current, request.expiresInDays);
      if ("code" in days) return days;
      // The hash, which is what a create costs, runs while the user record is read the first time.
      const [first, firstRead] = await Promise.all([
        issue(context, actor.userId, request, days.days),
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
        if (user.appPasswordCount >= maxPerUser) {
          return {
            ...refuse(
              "APP_PASSWORD_LIMIT_REACHED",
              `You already have ${maxPerUser} app passwords, the most allowed. Delete one of your existing app passwords first, then create a new one.`,
            ),
            limit: maxPerUser,
          };
        }
        const loginName = user.loginName === actor.loginName ? undefined : actor.loginName;
        if (loginName !== undefined) {
          const inUse = await loginNames.claim(actor, user);
          if (inUse) return inUse;
        }
        const outcome = await store.addAppPassword(user, fresh.record, loginName);
        switch (outcome) {
          case "done":
            if (loginName !== undefined && user.loginName !== "") {
              await store.deleteLoginName(user.loginName, actor.userId);
            }
            await recordActivity(actor.userId, createdEvent(fresh.record, request.fromIp));
            return { code: "CREATED", appPassword: issued(fresh.record, fresh.password, now()) };
          case "taken":
            // Another of this user's app passwords has the same 32-bit id: draw again (about 1 in 10^8).
            fresh = await issue(context, actor.userId, request, days.days);
            return CONFLICT;
          case "conflict":
          case "not-found":
            return CONFLICT;
        }
      });
    },

    /** The user's app passwords, oldest first, without secrets. */
    async list(actor: Principal, targetUserId: string): Promise<ListOutcome> {
      const current = await policy();
      const refusal = mayManage(current, actor, targetUserId);
      if (refusal) return refusal;
      const at = now();
      const stored = await store.listAppPasswords(targetUserId);
      const items = stored.map((one) => summary(one, at)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      return { code: "LISTED", items, limit: current.maxPerUser };
    },

    /** Deletes one app password; it stops working at once. */
    async remove(actor: Principal, targetUserId: string, id: string): Promise<RemoveOutcome> {
      const refusal = mayManage(await policy(), actor, targetUserId);
      if (refusal) return refusal;
      const outcome = await retryOnConflict(async () => {
        const [user, stored] = await Promise.all([store.getUser(targetUserId), store.getAppPassword(targetUserId, id)]);
        if (!user || !stored) return notFound(id);
        const removed = await store.removeAppPasswords(user, [id]);
        if (removed === "done") return stored;
        return removed === "not-found" ? notFound(id) : CONFLICT;
      });
      if ("code" in outcome) return outcome;
      await recordActivity(targetUserId, deletedEvent(outcome, actorOf(actor, targetUserId), now()));
      return { code: "REMOVED", count: 1 };
    },

    /** Deletes all of a user's app passwords at once. */
    async removeAll(actor: Principal, targetUserId: string): Promise<RemoveOutcome> {
      const refusal = mayManage(await policy(), actor, targetUserId);
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
      for (const stored of outcome) await recordActivity(targetUserId, deletedEvent(stored, by, now()));
      return { code: "REMOVED", count: outcome.length };
    },

    /** One app password of the user, without secrets. */
    async get(actor: Principal, targetUserId: string, id: string): Promise<GetOutcome> {
      const refusal = mayManage(await policy(), actor, targetUserId);
      if (refusal) return refusal;
      const stored = await store.getAppPassword(targetUserId, id);
      if (!stored) return notFound(id);
      return { code: "FOUND", item: summary(stored, now()) };
    },

    /** Gives an app password another name; nothing else about it changes, and it keeps working as before. */
    async rename(actor: Principal, targetUserId: string, id: string, name: string): Promise<RenameOutcome> {
      const refusal = mayManage(await policy(), actor, targetUserId);
      if (refusal) return refusal;
      const stored = await store.getAppPassword(targetUserId, id);
      if (!stored) return notFound(id);
      if ((await store.renameAppPassword(targetUserId, id, name)) !== "done") return notFound(id);
      await recordActivity(targetUserId, {
        at: now(),
        event: "renamed",
        appPasswordId: id,
        name,
        previousName: stored.name,
        ...actorOf(actor, targetUserId),
      });
      return { code: "RENAMED", item: summary({ ...stored, name }, now()) };
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

    /** Lifts every verify lockout of a user (admin only): their per-IP and user-wide failure counts. */
    async resetThrottle(actor: Principal, targetUserId: string): Promise<ResetThrottleOutcome> {
      const refusal = mayAdminister(actor, "reset sign-in throttling");
      if (refusal) return refusal;
      const rows = await store.resetThrottle(targetUserId);
      await recordActivity(targetUserId, { at: now(), event: "throttle-reset", ...actorOf(actor, targetUserId) });
      return { code: "RESET", rows };
    },
  };
}

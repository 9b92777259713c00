import { appPasswordTag, generateAppPassword } from "./appPasswordSecret";
import type { AppPasswordStore, NewAppPassword, StoredAppPassword, UserRecord } from "./appPasswordStore";
import { systemClock, type Clock } from "./clock";
import type { Refusal } from "./outcomes";
import type { PasswordHasher } from "./passwordHasher";
import type { Principal } from "./principal";
import type { Protocol } from "./protocols";
import type { RepeatLoginMemorySettings } from "./repeatLoginMemory";
import { CONFLICT, retryOnConflict } from "./retryOnConflict";
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
export type ListOutcome =
  { readonly code: "LISTED"; readonly items: AppPasswordSummary[]; readonly limit: number } | Refusal;
export type RemoveOutcome = { readonly code: "REMOVED"; readonly count: number } | Refusal;
export type ReleaseLoginNameOutcome = { readonly code: "RELEASED" } | Refusal;
export type ResetThrottleOutcome = { readonly code: "RESET"; readonly rows: number } | Refusal;

export interface AppPasswordServiceOptions {
  readonly store: AppPasswordStore;
  readonly hasher: PasswordHasher;
  readonly policy: { readonly appPasswordsAllowed: boolean; readonly maxPerUser: number };
  /** Keys the throttling fingerprints and unknown login names' keys: see `VerifierOptions.throttleKey`. */
  readonly throttleKey: string;
  readonly now?: Clock;
  /** Bounds of verify's repeat-login memory; without them it is off. */
  readonly repeatLoginMemory?: RepeatLoginMemorySettings;
}

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

  async function issue(userId: string, name: string) {
    const password = generateAppPassword();
    const record: NewAppPassword = {
      userId,
      id: appPasswordTag(userId, password),
      name,
      hash: await hasher.hash(password),
      createdAt: now(),
    };
    return { record, password };
  }

  const issued = (record: NewAppPassword, password: string): IssuedAppPassword => ({
    id: record.id,
    name: record.name,
    password,
    createdAt: record.createdAt,
  });

  const summary = (stored: StoredAppPassword): AppPasswordSummary => ({
    id: stored.id,
    name: stored.name,
    createdAt: stored.createdAt,
    ...(stored.lastUsedAt !== undefined && { lastUsedAt: stored.lastUsedAt }),
    ...(stored.lastUsedIp !== undefined && { lastUsedIp: stored.lastUsedIp }),
    ...(stored.lastUsedProtocol !== undefined && { lastUsedProtocol: stored.lastUsedProtocol }),
  });

  const loginNameInUse = (loginName: string) =>
    refuse(
      "LOGIN_NAME_IN_USE",
      `The login name ${loginName} belongs to another account. An administrator can release it if that account no longer uses it.`,
    );

  /**
   * Points the caller's login name (which their token proved) at them. A name another account still holds
   * (its user record carries the name) is never taken away from it; a name whose holder moved on (renamed,
   * or never registered) is.
   */
  async function claimLoginName(actor: Principal): Promise<Refusal | undefined> {
    const outcome = await retryOnConflict<"done" | Refusal>(async () => {
      const mapping = await store.getLoginName(actor.loginName);
      if (mapping?.userId === actor.userId) return "done";
      if (mapping && (await store.getUser(mapping.userId))?.loginName === actor.loginName) {
        return loginNameInUse(actor.loginName);
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
      // Every time, not only when the name changed: after an administrator released it, its holder takes it back.
      const inUse = await claimLoginName(actor);
      if (inUse) return inUse;
      if (existing) {
        // The person's login name changed (a rename in Entra ID): mail clients now send the new one.
        if (existing.loginName !== actor.loginName) {
          await store.setLoginName(existing, actor.loginName);
          await store.deleteLoginName(existing.loginName, actor.userId);
        }
        return { code: "ALREADY_REGISTERED", registeredAt: existing.registeredAt };
      }

      const registeredAt = now();
      const user = { userId: actor.userId, loginName: actor.loginName, registeredAt };
      const first = policy.appPasswordsAllowed
        ? await issue(actor.userId, name ?? INITIAL_APP_PASSWORD_NAME)
        : undefined;
      if ((await store.register(user, first?.record)) === "done") {
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

    /** Creates an app password, unless the user already has the maximum. */
    async create(actor: Principal, targetUserId: string, name: string): Promise<CreateOutcome> {
      const refusal = mayIssue(actor, targetUserId);
      if (refusal) return refusal;
      if (!policy.appPasswordsAllowed) {
        return refuse("APP_PASSWORDS_DISABLED", "Your organization does not allow app passwords.");
      }
      // The hash, which is what a create costs, runs while the user record is read the first time.
      const [first, firstRead] = await Promise.all([issue(actor.userId, name), store.getUser(actor.userId)]);
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
          const inUse = await claimLoginName(actor);
          if (inUse) return inUse;
        }
        const outcome = await store.addAppPassword(user, fresh.record, loginName);
        switch (outcome) {
          case "done":
            if (loginName !== undefined) await store.deleteLoginName(user.loginName, actor.userId);
            return { code: "CREATED", appPassword: issued(fresh.record, fresh.password) };
          case "taken":
            // Another of this user's app passwords has the same 32-bit id: draw again (about 1 in 10^8).
            fresh = await issue(actor.userId, name);
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
      return retryOnConflict<RemoveOutcome>(async () => {
        const user = await store.getUser(targetUserId);
        if (!user) return notFound;
        const outcome = await store.removeAppPasswords(user, [id]);
        if (outcome === "done") return { code: "REMOVED", count: 1 };
        return outcome === "not-found" ? notFound : CONFLICT;
      });
    },

    /** Deletes all of a user's app passwords at once. */
    async removeAll(actor: Principal, targetUserId: string): Promise<RemoveOutcome> {
      const refusal = mayManage(actor, targetUserId);
      if (refusal) return refusal;
      return retryOnConflict<RemoveOutcome>(async () => {
        const user = await store.getUser(targetUserId);
        if (!user) return { code: "REMOVED", count: 0 };
        const ids = (await store.listAppPasswords(targetUserId)).map((stored) => stored.id);
        if (ids.length === 0) return { code: "REMOVED", count: 0 };
        const outcome = await store.removeAppPasswords(user, ids);
        return outcome === "done" ? { code: "REMOVED", count: ids.length } : CONFLICT;
      });
    },

    /**
     * Frees a login name (admin only), so that the next account whose token proves it can claim it: for a
     * name Entra ID gave to someone new while the account that held it still exists here.
     */
    async releaseLoginName(actor: Principal, loginName: string): Promise<ReleaseLoginNameOutcome> {
      if (!actor.isAdmin) return refuse("FORBIDDEN", "Only an administrator can release a login name.");
      return (await store.releaseLoginName(loginName))
        ? { code: "RELEASED" }
        : refuse("LOGIN_NAME_NOT_FOUND", `No account holds the login name ${loginName}.`);
    },

    /** Lifts every verify lockout of a user (admin only): their per-IP and user-wide failure counts. */
    async resetThrottle(actor: Principal, targetUserId: string): Promise<ResetThrottleOutcome> {
      if (!actor.isAdmin) return refuse("FORBIDDEN", "Only an administrator can reset sign-in throttling.");
      return { code: "RESET", rows: await store.resetThrottle(targetUserId) };
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

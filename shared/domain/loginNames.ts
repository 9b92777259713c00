import type { UserRecord } from "./appPasswordStore";
import { mayAdminister } from "./access";
import { actorOf, refuse, type DomainContext } from "./domainContext";
import type { Refusal } from "./outcomes";
import type { Principal } from "./principal";
import { CONFLICT, retryOnConflict } from "./retryOnConflict";

// Which account a login name belongs to: claimed by the token that proves it, released and lifted by admins.

export type ReleaseLoginNameOutcome = { readonly code: "RELEASED" } | Refusal;
export type LiftLoginNameReleaseOutcome = { readonly code: "LIFTED" } | Refusal;

const loginNameInUse = (loginName: string) =>
  refuse(
    "LOGIN_NAME_IN_USE",
    `The login name ${loginName} belongs to another account. An administrator can release it if that account no longer uses it.`,
  );

/** The login-name rules over one context. */
export function createLoginNames({ store, now, recordActivity }: DomainContext) {
  return {
    /**
     * Points the caller's login name (which their token proved) at them. A name another account holds is never
     * taken away from it: held while its user record carries the name, and from the moment its mapping is
     * written, before that record exists. A name whose holder moved on (renamed, or released by an
     * administrator) passes on, but never back to an account it was released from (`own`: the caller's record).
     */
    async claim(actor: Principal, own: UserRecord | undefined): Promise<Refusal | undefined> {
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
    },

    /**
     * Frees a login name (admin only), so that the next account whose token proves it can claim it: for a
     * name Entra ID gave to someone new while the account that held it still exists here. Complete and final:
     * first the holder's record gives the name up and marks it released (so no verify answers it for that
     * account from then on, and the account can never claim it again), then the mapping goes.
     */
    async releaseLoginName(actor: Principal, loginName: string): Promise<ReleaseLoginNameOutcome> {
      const refusal = mayAdminister(actor, "release a login name");
      if (refusal) return refusal;
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
      const refusal = mayAdminister(actor, "lift the release of a login name");
      if (refusal) return refusal;
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
  };
}

export type LoginNames = ReturnType<typeof createLoginNames>;

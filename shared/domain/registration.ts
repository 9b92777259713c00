import { mayIssue } from "./access";
import { createdEvent, issue, issued, type IssuedAppPassword } from "./appPasswordRecords";
import { refuse, type DomainContext } from "./domainContext";
import type { LoginNames } from "./loginNames";
import type { Refusal } from "./outcomes";
import type { Principal } from "./principal";

// Registration for two-step verification: the user record, the login name, and the first app password.

export type RegisterOutcome =
  | { readonly code: "REGISTERED"; readonly registeredAt: Date; readonly appPassword?: IssuedAppPassword }
  | { readonly code: "ALREADY_REGISTERED"; readonly registeredAt: Date }
  | Refusal;

/** Name of the app password given at the first registration when the person names none. */
export const INITIAL_APP_PASSWORD_NAME = "Initial app password";

/** Registration over one context. */
export function createRegistration(context: DomainContext, loginNames: LoginNames) {
  const { store, now, policy, recordActivity } = context;
  return {
    /**
     * Records that the person registered for two-step verification. The first time, and while the tenant
     * allows app passwords, they are given their first app password.
     */
    async register(actor: Principal, targetUserId: string, name?: string, fromIp?: string): Promise<RegisterOutcome> {
      const refusal = mayIssue(actor, targetUserId);
      if (refusal) return refusal;
      const existing = await store.getUser(actor.userId);
      // Every time, not only when the name changed: a lost mapping is written again, a released name refused.
      const inUse = await loginNames.claim(actor, existing);
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
      const { appPasswordsAllowed, maxLifetimeDays } = await policy();
      const first = appPasswordsAllowed
        ? await issue(context, actor.userId, { name: name ?? INITIAL_APP_PASSWORD_NAME }, maxLifetimeDays)
        : undefined;
      if ((await store.register(user, first?.record)) === "done") {
        if (first) await recordActivity(actor.userId, createdEvent(first.record, fromIp));
        return {
          code: "REGISTERED",
          registeredAt,
          ...(first && { appPassword: issued(first.record, first.password, now()) }),
        };
      }
      // A concurrent registration of the same person won: theirs stands.
      const winner = await store.getUser(actor.userId);
      return winner
        ? { code: "ALREADY_REGISTERED", registeredAt: winner.registeredAt }
        : refuse("CONTENTION", "The registration changed while it was being recorded. Try again.");
    },
  };
}

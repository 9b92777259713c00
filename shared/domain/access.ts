import type { AppPasswordStore } from "./appPasswordStore";
import { refuse, type AppPasswordPolicy } from "./domainContext";
import type { Refusal } from "./outcomes";
import type { Principal } from "./principal";

// Who may act on whose app passwords: every rule of it, asked before anything is read or written.

export type ResolveOutcome = { readonly code: "RESOLVED"; readonly userId: string } | Refusal;

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Who may manage (list, get, rename, delete) the app passwords of `targetUserId`, under `policy`. */
export function mayManage(policy: AppPasswordPolicy, actor: Principal, targetUserId: string): Refusal | undefined {
  if (targetUserId !== actor.userId && !actor.isAdmin) {
    return refuse("FORBIDDEN", "Only an administrator can manage another user's app passwords.");
  }
  if (!policy.appPasswordsAllowed && !actor.isAdmin) {
    return refuse("APP_PASSWORDS_DISABLED", "Your organization does not allow app passwords.");
  }
  return undefined;
}

/** New app passwords are only ever issued to the person themselves: nobody else sees the plaintext. */
export function mayIssue(actor: Principal, targetUserId: string): Refusal | undefined {
  if (targetUserId === actor.userId) return undefined;
  return actor.isAdmin
    ? refuse(
        "SELF_SERVICE_ONLY",
        "App passwords are created by their owner; an administrator cannot create one for another user.",
      )
    : refuse("FORBIDDEN", "Only an administrator can act on another user's app passwords.");
}

/** Who may read the activity of `targetUserId`: its owner and administrators. */
export function mayReadActivity(actor: Principal, targetUserId: string): Refusal | undefined {
  return targetUserId === actor.userId || actor.isAdmin
    ? undefined
    : refuse("FORBIDDEN", "Only an administrator can read another user's activity.");
}

/** Administrators only: `action` names what was refused. */
export const mayAdminister = (actor: Principal, action: string): Refusal | undefined =>
  actor.isAdmin ? undefined : refuse("FORBIDDEN", `Only an administrator can ${action}.`);

/**
 * The user a route's `{user}` names: `me`, an object id, or (for an administrator) a login name in any
 * case. Anyone else naming another person is refused before anything is looked up, so the answer tells
 * them nothing about who exists.
 */
export async function resolveUser(store: AppPasswordStore, actor: Principal, param: string): Promise<ResolveOutcome> {
  const value = param.toLowerCase();
  if (param === "me" || value === actor.loginName) return { code: "RESOLVED", userId: actor.userId };
  if (OBJECT_ID.test(value)) return { code: "RESOLVED", userId: value };
  if (!actor.isAdmin) return refuse("FORBIDDEN", "Only an administrator can name another user.");
  const userId = await store.findUserIdByLoginName(value);
  return userId === undefined
    ? refuse("USER_NOT_FOUND", `Nobody with the login name "${value}" has registered.`)
    : { code: "RESOLVED", userId };
}

import { createHash } from "node:crypto";
import { appPasswordTag, generateAppPassword, normalizeAppPassword } from "./appPasswordSecret";
import type { AppPasswordStore, StoredAppPassword, StoredThrottle } from "./appPasswordStore";
import type { Clock } from "./clock";
import type { PasswordHasher } from "./passwordHasher";
import type { Protocol } from "./protocols";
import { createRepeatLoginMemory, type RepeatLoginMemorySettings } from "./repeatLoginMemory";
import { CONFLICT, retryOnConflict, type Contention } from "./retryOnConflict";
import { afterFailure, afterSuccess, ipBucket, throttleDecision } from "./verifyThrottle";

/** A login as a mail gateway reports it. */
export interface VerifyRequest {
  /** A login name (any case) or an object id, as the mail client sent it. */
  readonly user: string;
  /** As typed: any case, spaces or hyphens between the groups. */
  readonly password: string;
  /** The mail client's address, as the gateway saw it. */
  readonly clientIp: string;
  readonly protocol: Protocol;
}

export type VerifyOutcome =
  | {
      readonly code: "VALID";
      readonly userId: string;
      /** The person's current login name: every login maps to one mailbox, whichever name or id it used. */
      readonly loginName: string;
      readonly appPasswordId: string;
    }
  | { readonly code: "INVALID" }
  | { readonly code: "VERIFY_THROTTLED"; readonly retryAfterSeconds: number }
  | Contention;

export interface VerifierOptions {
  readonly store: AppPasswordStore;
  readonly hasher: PasswordHasher;
  readonly now: Clock;
  /** The repeat-login memory's bounds; without them it is off and every verify runs argon2. */
  readonly repeatLoginMemory?: RepeatLoginMemorySettings;
}

const MEMORY_OFF: RepeatLoginMemorySettings = { entries: 0, lifetimeMs: 0, loginNameLifetimeMs: 0 };

/** `lastUsedAt` is written at most this often per app password, so a syncing phone does not write on every login. */
export const LAST_USED_RESOLUTION_MS = 5 * 60 * 1000;

/** Attempts at counting a failure that keeps losing races to parallel failures, before answering "busy". */
const MAX_FAILURE_WRITE_ATTEMPTS = 10;

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whom verify counts a login name nobody has against: a key of its own, which no user id can take and no
 * app password is ever stored under, so it is read and throttled exactly like a user.
 */
export const unknownOwner = (loginName: string) =>
  `unknown_${createHash("sha256").update(loginName.toLowerCase()).digest("hex")}`;

export type Verifier = ReturnType<typeof createVerifier>;

/** Verification of a mail client's login against the user's app passwords, with its throttle bookkeeping. */
export function createVerifier({ store, hasher, now, repeatLoginMemory = MEMORY_OFF }: VerifierOptions) {
  // Checked against when there is no stored hash, so unknown users cost one argon2 verification too.
  const decoyHash = hasher.hash(generateAppPassword());
  const memory = createRepeatLoginMemory(repeatLoginMemory, now);

  /**
   * The user id behind a login name. Read from storage, unless the name was read recently and the password
   * is one remembered right for that user: then the caller already knows the password, and skipping the read
   * tells them nothing (a wrong password, or an unknown name, always pays the read). The candidate row read
   * next still decides; a stale mapping at worst fails the login, and is then forgotten.
   */
  async function resolveLoginName(loginName: string, normalized: string) {
    const remembered = memory.userIdOf(loginName);
    if (remembered !== undefined && memory.knows(remembered, appPasswordTag(remembered, normalized), normalized)) {
      return { userId: remembered, fromMemory: true };
    }
    return { userId: await store.findUserIdByLoginName(loginName), fromMemory: false };
  }

  /** Counts a failed verify, unless it repeats a recent wrong password; read again when it races another. */
  async function recordFailure(
    owner: string,
    bucket: string,
    normalized: string,
    familiar: boolean,
    read: StoredThrottle,
  ) {
    return retryOnConflict(async (attempt) => {
      const current = attempt === 0 ? read : await store.getThrottle(owner);
      const next = afterFailure(current.state, bucket, normalized, familiar, now());
      if (!next) return "counted" as const;
      return (await store.saveThrottle(owner, current, next)) === "done" ? ("counted" as const) : CONFLICT;
    }, MAX_FAILURE_WRITE_ATTEMPTS);
  }

  /** Bookkeeping after a success, written only when something changed: a syncing phone writes rarely. */
  async function recordSuccess(
    candidate: StoredAppPassword,
    request: VerifyRequest,
    normalized: string,
    bucket: string,
    throttle: StoredThrottle,
  ) {
    const usedAt = now();
    const stale = !candidate.lastUsedAt || usedAt.getTime() - candidate.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS;
    const upgrade = hasher.needsRehash(candidate.hash);
    const throttleReset = afterSuccess(throttle.state, bucket, usedAt);
    // Where and how it was last used is written with when, so no more often than that.
    const lastUse = stale
      ? { lastUsedAt: usedAt, lastUsedIp: request.clientIp, lastUsedProtocol: request.protocol }
      : { lastUsedAt: candidate.lastUsedAt ?? usedAt };
    await Promise.all([
      (stale || upgrade) &&
        store.touchAppPassword(candidate, {
          ...lastUse,
          ...(upgrade && { hash: await hasher.hash(normalized) }),
        }),
      // Lost to a concurrent write, it is simply done again at the next success.
      throttleReset && store.saveThrottle(candidate.userId, throttle, throttleReset),
    ]);
  }

  /**
   * Whether `password` is one of the user's app passwords. A cold verify costs exactly one argon2
   * verification and the same storage reads, whether the user exists, the password is wrong or right (or
   * could never be an app password), so neither time nor answer tells which accounts exist; none at all when
   * the (user, IP) is throttled. Only a repeat of a success this instance remembers, for an unchanged row,
   * skips argon2 (and, by login name, the login-name read): it tells the caller nothing they did not prove.
   */
  async function verify(request: VerifyRequest): Promise<VerifyOutcome> {
    const { user, password, clientIp } = request;
    const normalized = normalizeAppPassword(password);
    const byLoginName = !OBJECT_ID.test(user);
    const { userId, fromMemory } = byLoginName
      ? await resolveLoginName(user, normalized)
      : { userId: user.toLowerCase(), fromMemory: false };
    const owner = userId ?? unknownOwner(user);
    const bucket = ipBucket(clientIp);
    const id = appPasswordTag(owner, normalized);
    const { candidate, loginName, throttle } = await store.getVerifyRows(owner, id);
    if (fromMemory && loginName !== user.toLowerCase()) {
      // The account no longer holds the name it was remembered for (renamed away): ask storage who does.
      memory.forgetLoginName(user);
      return verify(request);
    }
    const decision = throttleDecision(throttle.state, bucket, now());
    if (decision.throttled) return { code: "VERIFY_THROTTLED", retryAfterSeconds: decision.retryAfterSeconds };

    // Only a success for the row exactly as it was proved is answered from memory; anything else pays argon2.
    const recognized = candidate !== undefined && memory.recognizes(candidate, normalized);
    const valid = recognized || (await hasher.verify(candidate?.hash ?? (await decoyHash), normalized));
    if (!candidate || !valid) {
      if (!candidate) memory.forget(owner, id);
      if (fromMemory) memory.forgetLoginName(user);
      const counted = await recordFailure(owner, bucket, normalized, decision.familiar, throttle);
      return counted === "counted" ? { code: "INVALID" } : counted;
    }
    await recordSuccess(candidate, request, normalized, bucket, throttle);
    // Remembered from argon2's proof only, so the lifetime counts from it; an upgraded hash is a new version.
    if (!recognized && !hasher.needsRehash(candidate.hash)) memory.rememberSuccess(candidate, normalized);
    // Only a mapping read from storage is remembered (or its lifetime renewed), so none outlives a re-pointing by more.
    if (byLoginName && !fromMemory) memory.rememberLoginName(user, candidate.userId);
    return { code: "VALID", userId: candidate.userId, loginName: loginName ?? user, appPasswordId: candidate.id };
  }

  return { verify };
}

import { createHmac } from "node:crypto";
import type { ActivityEvent } from "./activity";
import { appPasswordTag, generateAppPassword, normalizeAppPassword } from "./appPasswordSecret";
import type { AppPasswordStore, StoredAppPassword, StoredThrottle, UsageChanges } from "./appPasswordStore";
import type { Clock } from "./clock";
import type { PasswordHasher } from "./passwordHasher";
import type { Protocol } from "./protocols";
import { createRepeatLoginMemory, type RepeatLoginMemorySettings } from "./repeatLoginMemory";
import { restrictionsAllow } from "./restrictions";
import { CONFLICT, retryOnConflict, type Contention } from "./retryOnConflict";
import {
  afterFailure,
  afterSuccess,
  ipBucket,
  throttleDecision,
  wrongPasswordFingerprint,
  type ThrottleState,
} from "./verifyThrottle";

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
  /** Appends to an owner's activity log. */
  readonly recordActivity: (owner: string, event: ActivityEvent) => Promise<void>;
  /**
   * The secret (an app setting, never in the table) that keys the wrong-password fingerprints and the
   * owners of unknown login names, so a copy of the table confirms no guess. Changing it only resets counts.
   */
  readonly throttleKey: string;
  /** The repeat-login memory's bounds; without them it is off and every verify runs argon2. */
  readonly repeatLoginMemory?: RepeatLoginMemorySettings;
}

const MEMORY_OFF: RepeatLoginMemorySettings = { entries: 0, lifetimeMs: 0, loginNameLifetimeMs: 0 };

/** Addresses remembered per app password to tell a new one, most recent last. */
const SEEN_ADDRESSES = 20;

/** `lastUsedAt` is written at most this often per app password, so a syncing phone does not write on every login. */
export const LAST_USED_RESOLUTION_MS = 5 * 60 * 1000;

/**
 * Attempts at writing a failure's count that keeps losing races to parallel failures, before answering
 * "busy" (503): never an uncounted check.
 */
const MAX_COUNT_WRITE_ATTEMPTS = 10;

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whom verify counts a login name nobody has against: a key of its own, which no user id can take and no
 * app password is ever stored under, so it is read and throttled exactly like a user. An HMAC under the
 * throttle key: without the key, the table does not tell which login names were tried.
 */
export const unknownOwner = (throttleKey: string, loginName: string) =>
  `unknown_${createHmac("sha256", throttleKey).update(`unknown-login:v2:${loginName.toLowerCase()}`).digest("hex")}`;

/** Whether a verify may check the password, and the throttling state as it stands once admitted. */
type Admission =
  | {
      readonly code: "ADMITTED";
      readonly throttle: StoredThrottle;
      /** The failure is already written: a success must undo it, a failure has nothing left to write. */
      readonly counted: boolean;
      /** That written failure started a lockout of the address (or of unfamiliar addresses). */
      readonly lockedOut: boolean;
    }
  | { readonly code: "VERIFY_THROTTLED"; readonly retryAfterSeconds: number }
  | Contention;

export type Verifier = ReturnType<typeof createVerifier>;

/** Whether a failure that turned `before` into `after` locked the address out (or every unfamiliar one). */
const startsLockout = (before: ThrottleState, after: ThrottleState, bucket: string, at: Date) =>
  !throttleDecision(before, bucket, at).throttled && throttleDecision(after, bucket, at).throttled;

/** Verification of a mail client's login against the user's app passwords, with its throttle bookkeeping. */
export function createVerifier({
  store,
  hasher,
  now,
  recordActivity,
  throttleKey,
  repeatLoginMemory = MEMORY_OFF,
}: VerifierOptions) {
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

  /**
   * Counts a failure (a repeat of a recent wrong password, within its cap, only as a repeat); read again when
   * it races another. Each attempt decides afresh: a race lost to the failure that reached the limit ends
   * throttled, unchecked.
   */
  async function countFailure(
    owner: string,
    bucket: string,
    fingerprint: string,
    tagMatches: boolean,
    read: StoredThrottle,
  ) {
    return retryOnConflict<Admission>(async (attempt) => {
      const current = attempt === 0 ? read : await store.getThrottle(owner);
      const at = now();
      const decision = throttleDecision(current.state, bucket, at, tagMatches);
      if (decision.throttled) return { code: "VERIFY_THROTTLED", retryAfterSeconds: decision.retryAfterSeconds };
      const next = afterFailure(current.state, bucket, fingerprint, decision.familiar, at);
      const saved = await store.saveThrottle(owner, current, next);
      if (saved === CONFLICT) return CONFLICT;
      return {
        code: "ADMITTED",
        throttle: saved,
        counted: true,
        lockedOut: startsLockout(current.state, next, bucket, at),
      };
    }, MAX_COUNT_WRITE_ATTEMPTS);
  }

  /**
   * The check-then-write order of one verify, decided before argon2 runs. A failure is counted before its
   * check, so parallel guesses cannot outrun the limits, with one exception: a password whose id tag matches
   * one of the user's app passwords, from an address where the user succeeded before (a syncing phone), is
   * checked first and counted after only if wrong, so its repeat success writes nothing. Anything else that
   * is not throttled writes its failure first, and a success then undoes it.
   */
  async function admit(
    owner: string,
    bucket: string,
    normalized: string,
    candidate: StoredAppPassword | undefined,
    throttle: StoredThrottle,
  ): Promise<Admission> {
    const tagMatches = candidate !== undefined;
    const decision = throttleDecision(throttle.state, bucket, now(), tagMatches);
    if (decision.throttled) return { code: "VERIFY_THROTTLED", retryAfterSeconds: decision.retryAfterSeconds };
    if (tagMatches && decision.familiar) return { code: "ADMITTED", throttle, counted: false, lockedOut: false };
    return countFailure(owner, bucket, wrongPasswordFingerprint(throttleKey, owner, normalized), tagMatches, throttle);
  }

  /**
   * Counts a failure found only by the check: a tag-matching password from a familiar address that was
   * wrong. Familiar, so it counts towards that address's limit alone.
   */
  async function countFailureAfterCheck(owner: string, bucket: string, normalized: string, read: StoredThrottle) {
    const fingerprint = wrongPasswordFingerprint(throttleKey, owner, normalized);
    return retryOnConflict(async (attempt) => {
      const current = attempt === 0 ? read : await store.getThrottle(owner);
      const at = now();
      const next = afterFailure(current.state, bucket, fingerprint, true, at);
      if ((await store.saveThrottle(owner, current, next)) === CONFLICT) return CONFLICT;
      return { lockedOut: startsLockout(current.state, next, bucket, at) };
    }, MAX_COUNT_WRITE_ATTEMPTS);
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
    // A new address is rare, so its extra writes (the row, the event) never fall on a repeat login.
    const seen = candidate.seenAddresses ?? [];
    const newAddress = !seen.includes(bucket);
    // Where and how it was last used is written with when, so no more often than that (or a new address).
    const lastUse =
      stale || newAddress
        ? { lastUsedAt: usedAt, lastUsedIp: request.clientIp, lastUsedProtocol: request.protocol }
        : { lastUsedAt: candidate.lastUsedAt ?? usedAt };
    const changes: UsageChanges | undefined =
      stale || upgrade || newAddress
        ? {
            ...lastUse,
            ...(upgrade && { hash: await hasher.hash(normalized) }),
            ...(newAddress && { seenAddresses: [...seen, bucket].slice(-SEEN_ADDRESSES) }),
          }
        : undefined;
    // The success resets the counts, undoing its own failure counted before the check.
    const reset = afterSuccess(throttle.state, bucket, usedAt);
    const writeUse = async () => {
      // A first use writes both, in one transaction (one request); after a race, each on its own.
      if (changes && reset && (await store.touchAndSaveThrottle(candidate, changes, throttle, reset)) === "done")
        return;
      await Promise.all([
        changes && store.touchAppPassword(candidate, changes),
        reset && resetCounts(candidate.userId, throttle, bucket, usedAt),
      ]);
    };
    await Promise.all([
      writeUse(),
      newAddress &&
        recordActivity(candidate.userId, {
          at: usedAt,
          event: "first-use-from-new-address",
          appPasswordId: candidate.id,
          name: candidate.name,
          ip: request.clientIp,
          protocol: request.protocol,
        }),
    ]);
  }

  /**
   * Resets the counts a success undoes, read again when it races another verify. Should every attempt lose to
   * parallel failures, the count stays one too high: the safe side, and the answer stands.
   */
  function resetCounts(owner: string, read: StoredThrottle, bucket: string, usedAt: Date) {
    return retryOnConflict(async (attempt) => {
      const current = attempt === 0 ? read : await store.getThrottle(owner);
      const reset = afterSuccess(current.state, bucket, usedAt);
      if (!reset) return "done" as const;
      return (await store.saveThrottle(owner, current, reset)) === CONFLICT ? CONFLICT : ("done" as const);
    }, MAX_COUNT_WRITE_ATTEMPTS);
  }

  /**
   * Whether `password` is one of the user's app passwords, usable now with this protocol from this address
   * (expiry and restrictions are checked after argon2, and a login outside them counts as a failure, at the
   * same cost). A cold verify costs exactly one argon2
   * verification and the same storage reads, whether the user exists, the password is wrong or right (or
   * could never be an app password), so neither time nor answer tells which accounts exist; none at all when
   * the (user, IP) is throttled. Only a repeat of a success this instance remembers, for an unchanged row,
   * skips argon2 (and, by login name, the login-name read): it tells the caller nothing they did not prove.
   */
  async function verify(request: VerifyRequest): Promise<VerifyOutcome> {
    const { user, password, clientIp, protocol } = request;
    const normalized = normalizeAppPassword(password);
    const byLoginName = !OBJECT_ID.test(user);
    const { userId, fromMemory } = byLoginName
      ? await resolveLoginName(user, normalized)
      : { userId: user.toLowerCase(), fromMemory: false };
    const owner = userId ?? unknownOwner(throttleKey, user);
    const bucket = ipBucket(clientIp);
    const id = appPasswordTag(owner, normalized);
    const rows = await store.getVerifyRows(owner, id);
    const { loginName, throttle } = rows;
    // Only an account that holds a login name at this moment is ever verified into a mailbox: by name, the one
    // it was asked for; by object id, any. A released or renamed-away name is not held, whatever says otherwise.
    const held = loginName !== undefined && (!byLoginName || loginName === user.toLowerCase()) ? loginName : undefined;
    if (fromMemory && held === undefined) {
      // The account no longer holds the name it was remembered for (renamed away, released): ask storage who does.
      memory.forgetLoginName(user);
      return verify(request);
    }
    // A candidate of an account that does not hold the name is no candidate: the same work as a wrong password.
    const candidate = held === undefined ? undefined : rows.candidate;
    const admission = await admit(owner, bucket, normalized, candidate, throttle);
    if (admission.code !== "ADMITTED") return admission;

    // Only a success for the row exactly as it was proved, and usable now, is answered from memory; anything
    // else (a failure included) pays argon2.
    const allowed = candidate !== undefined && restrictionsAllow(candidate, { clientIp, protocol, now: now() });
    const recognized = allowed && memory.recognizes(candidate, normalized);
    const valid = recognized || (await hasher.verify(candidate?.hash ?? (await decoyHash), normalized));
    if (!candidate || held === undefined || !valid || !allowed) {
      if (!candidate) memory.forget(owner, id);
      if (fromMemory) memory.forgetLoginName(user);
      const counted = admission.counted
        ? { lockedOut: admission.lockedOut }
        : await countFailureAfterCheck(owner, bucket, normalized, admission.throttle);
      if ("code" in counted) return counted;
      // The failure that started a lockout is logged once it is known to be one. Logged for unknown login
      // names too (in a log nobody reads, pruned like any other), so the write does not tell who exists.
      if (counted.lockedOut) await recordActivity(owner, { at: now(), event: "verify-locked-out", ip: clientIp });
      return { code: "INVALID" };
    }
    await recordSuccess(candidate, request, normalized, bucket, admission.throttle);
    // Remembered from argon2's proof only, so the lifetime counts from it; an upgraded hash is a new version.
    if (!recognized && !hasher.needsRehash(candidate.hash)) memory.rememberSuccess(candidate, normalized);
    // Only a mapping read from storage is remembered (or its lifetime renewed), so none outlives a re-pointing by more.
    if (byLoginName && !fromMemory) memory.rememberLoginName(user, candidate.userId);
    return { code: "VALID", userId: candidate.userId, loginName: held, appPasswordId: candidate.id };
  }

  return { verify };
}

import { createHmac } from "node:crypto";
import type { ActivityEvent } from "./activity";
import { appPasswordTag, generateAppPassword, normalizeAppPassword } from "./appPasswordSecret";
import type { AppPasswordStore, StoredAppPassword, StoredThrottle, UsageChanges } from "./appPasswordStore";
import type { Clock } from "./clock";
import type { PasswordHasher } from "./passwordHasher";
import type { Protocol } from "./protocols";
import { createRepeatLoginMemory, type RepeatLoginMemorySettings } from "./repeatLoginMemory";
import { restrictionsAllow } from "./restrictions";
import { createThrottleWrites, type Admission } from "./throttleWrites";
import type { Contention } from "./retryOnConflict";
import { afterSuccess, ipBucket } from "./verifyThrottle";

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

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whom verify counts a login name nobody has against: a key of its own, which no user id can take and no
 * app password is ever stored under, so it is read and throttled exactly like a user. An HMAC under the
 * throttle key: without the key, the table does not tell which login names were tried.
 */
export const unknownOwner = (throttleKey: string, loginName: string) =>
  `unknown_${createHmac("sha256", throttleKey).update(`unknown-login:v2:${loginName.toLowerCase()}`).digest("hex")}`;

export type Verifier = ReturnType<typeof createVerifier>;

/** Whom a verify is counted against (step 1), and how it was found. */
interface Owner {
  /** The user id, or the unknown login name's key. */
  readonly id: string;
  readonly byLoginName: boolean;
  /** Found in the repeat-login memory rather than read. */
  readonly fromMemory: boolean;
}

/** What step 2 read: the candidate's id, the throttling and, for an account holding the name, the name and candidate. */
interface Rows {
  readonly id: string;
  readonly throttle: StoredThrottle;
  readonly holder?: { readonly loginName: string; readonly candidate: StoredAppPassword | undefined };
}

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
  const { admit, countFailureAfterCheck, resetCounts } = createThrottleWrites({ store, now, throttleKey });

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
   * Whether `password` is one of the user's app passwords, usable now with this protocol from this address
   * (expiry and restrictions are checked after argon2, and a login outside them counts as a failure, at the
   * same cost). A cold verify costs exactly one argon2
   * verification and the same storage reads, whether the user exists, the password is wrong or right (or
   * could never be an app password), so neither time nor answer tells which accounts exist; none at all when
   * the (user, IP) is throttled. Only a repeat of a success this instance remembers, for an unchanged row,
   * skips argon2 (and, by login name, the login-name read): it tells the caller nothing they did not prove.
   */
  async function verify(request: VerifyRequest): Promise<VerifyOutcome> {
    const normalized = normalizeAppPassword(request.password);
    const owner = await resolveOwner(request.user, normalized);
    const rows = await readRows(owner, request.user, normalized);
    if (rows === "remembered-name-moved") {
      // The account no longer holds the name it was remembered for (renamed away, released): ask storage who does.
      memory.forgetLoginName(request.user);
      return verify(request);
    }
    const bucket = ipBucket(request.clientIp);
    const admission = await admit(owner.id, bucket, normalized, rows.holder?.candidate, rows.throttle);
    if (admission.code !== "ADMITTED") return admission;
    const checked = await check(rows, request, normalized);
    if (!checked.valid) return recordFailure(owner, rows, request, normalized, bucket, admission);
    await recordSuccess(checked.candidate, request, normalized, bucket, admission.throttle);
    // Remembered from argon2's proof only, so the lifetime counts from it; an upgraded hash is a new version.
    if (!checked.recognized && !hasher.needsRehash(checked.candidate.hash)) {
      memory.rememberSuccess(checked.candidate, normalized);
    }
    // Only a mapping read from storage is remembered (or its lifetime renewed), so none outlives a re-pointing by more.
    if (owner.byLoginName && !owner.fromMemory) memory.rememberLoginName(request.user, checked.candidate.userId);
    const { candidate, loginName } = checked;
    return { code: "VALID", userId: candidate.userId, loginName, appPasswordId: candidate.id };
  }

  /** Step 1: whom the login is counted against: the user a login name or object id names, or its unknown key. */
  async function resolveOwner(user: string, normalized: string): Promise<Owner> {
    const byLoginName = !OBJECT_ID.test(user);
    const { userId, fromMemory } = byLoginName
      ? await resolveLoginName(user, normalized)
      : { userId: user.toLowerCase(), fromMemory: false };
    return { id: userId ?? unknownOwner(throttleKey, user), byLoginName, fromMemory };
  }

  /**
   * Step 2: the owner's rows in one read: the candidate app password (by the password's id tag), the login
   * name the account holds, and its throttling. Only an account that holds a login name at this moment is ever
   * verified into a mailbox: by name, the one it was asked for; by object id, any. A released or renamed-away
   * name is not held, whatever says otherwise, and a candidate of an account that does not hold the name is
   * no candidate: the same work as a wrong password.
   */
  async function readRows(owner: Owner, user: string, normalized: string): Promise<Rows | "remembered-name-moved"> {
    const id = appPasswordTag(owner.id, normalized);
    const rows = await store.getVerifyRows(owner.id, id);
    const { loginName, throttle } = rows;
    const held =
      loginName !== undefined && (!owner.byLoginName || loginName === user.toLowerCase()) ? loginName : undefined;
    if (owner.fromMemory && held === undefined) return "remembered-name-moved";
    return held === undefined
      ? { id, throttle }
      : { id, throttle, holder: { loginName: held, candidate: rows.candidate } };
  }

  // Step 3 is `admit`, above.

  /**
   * Step 4: whether the password is the candidate's, and the candidate usable now from here over this
   * protocol. Only a success for the row exactly as it was proved, and usable now, is answered from memory;
   * anything else (a failure included) pays argon2, against the decoy when there is no candidate.
   */
  async function check({ holder }: Rows, request: VerifyRequest, normalized: string) {
    const candidate = holder?.candidate;
    const { clientIp, protocol } = request;
    const allowed = candidate !== undefined && restrictionsAllow(candidate, { clientIp, protocol, now: now() });
    const recognized = allowed && memory.recognizes(candidate, normalized);
    const valid = recognized || (await hasher.verify(candidate?.hash ?? (await decoyHash), normalized));
    return holder !== undefined && candidate !== undefined && valid && allowed
      ? { valid: true as const, candidate, loginName: holder.loginName, recognized }
      : { valid: false as const };
  }

  /**
   * Step 5 of a failure: counted (unless it was before the check), remembered as no success, and a lockout
   * it started logged once it is known to be one. Logged for unknown login names too (in a log nobody reads,
   * pruned like any other), so the write does not tell who exists.
   */
  async function recordFailure(
    owner: Owner,
    rows: Rows,
    request: VerifyRequest,
    normalized: string,
    bucket: string,
    admission: Extract<Admission, { code: "ADMITTED" }>,
  ): Promise<VerifyOutcome> {
    if (!rows.holder?.candidate) memory.forget(owner.id, rows.id);
    if (owner.fromMemory) memory.forgetLoginName(request.user);
    const counted = admission.counted
      ? { lockedOut: admission.lockedOut }
      : await countFailureAfterCheck(owner.id, bucket, normalized, admission.throttle);
    if ("code" in counted) return counted;
    if (counted.lockedOut) {
      await recordActivity(owner.id, { at: now(), event: "verify-locked-out", ip: request.clientIp });
    }
    return { code: "INVALID" };
  }

  return { verify };
}

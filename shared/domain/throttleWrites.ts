import type { AppPasswordStore, StoredAppPassword, StoredThrottle } from "./appPasswordStore";
import type { Clock } from "./clock";
import { CONFLICT, retryOnConflict, type Contention } from "./retryOnConflict";
import {
  afterFailure,
  afterSuccess,
  throttleDecision,
  wrongPasswordFingerprint,
  type ThrottleState,
} from "./verifyThrottle";

// Verify's writes to an owner's throttling row: admission before the check, the failure after it, the reset
// after a success; one helper owns the row's conflict loop.

/**
 * Attempts at writing a failure's count that keeps losing races to parallel failures, before answering
 * "busy" (503): never an uncounted check.
 */
const MAX_COUNT_WRITE_ATTEMPTS = 10;

/** Whether a verify may check the password, and the throttling state as it stands once admitted. */
export type Admission =
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

/** One attempt at the throttle row: what to write (nothing: leave it), and what the attempt answers then. */
interface ThrottleStep<T> {
  readonly write?: ThrottleState;
  readonly then: (row: StoredThrottle) => T;
}

/** Whether a failure that turned `before` into `after` locked the address out (or every unfamiliar one). */
const startsLockout = (before: ThrottleState, after: ThrottleState, bucket: string, at: Date) =>
  !throttleDecision(before, bucket, at).throttled && throttleDecision(after, bucket, at).throttled;

/** The throttle writes of verify over one store, clock and throttle key. */
export function createThrottleWrites({
  store,
  now,
  throttleKey,
}: {
  readonly store: AppPasswordStore;
  readonly now: Clock;
  readonly throttleKey: string;
}) {
  /**
   * Writes the throttle row as `step` makes it from the row as it stands, reading it again whenever another
   * verify wrote first, at most `MAX_COUNT_WRITE_ATTEMPTS` times (then CONTENTION). Each attempt decides
   * afresh; a step with nothing to write ends it.
   */
  function updateThrottle<T>(
    owner: string,
    read: StoredThrottle,
    step: (current: StoredThrottle, at: Date) => ThrottleStep<T>,
  ): Promise<T | Contention> {
    return retryOnConflict<T>(async (attempt) => {
      const current = attempt === 0 ? read : await store.getThrottle(owner);
      const planned = step(current, now());
      if (planned.write === undefined) return planned.then(current);
      const saved = await store.saveThrottle(owner, current, planned.write);
      return saved === CONFLICT ? CONFLICT : planned.then(saved);
    }, MAX_COUNT_WRITE_ATTEMPTS);
  }

  /**
   * Counts a failure before its check (a repeat of a recent wrong password, within its cap, only as a
   * repeat): a race lost to the failure that reached the limit ends throttled, unchecked.
   */
  const countFailure = (
    owner: string,
    bucket: string,
    fingerprint: string,
    tagMatches: boolean,
    read: StoredThrottle,
  ) =>
    updateThrottle<Admission>(owner, read, (current, at) => {
      const decision = throttleDecision(current.state, bucket, at, tagMatches);
      if (decision.throttled) {
        return { then: () => ({ code: "VERIFY_THROTTLED", retryAfterSeconds: decision.retryAfterSeconds }) };
      }
      const next = afterFailure(current.state, bucket, fingerprint, decision.familiar, at);
      const lockedOut = startsLockout(current.state, next, bucket, at);
      return { write: next, then: (saved) => ({ code: "ADMITTED", throttle: saved, counted: true, lockedOut }) };
    });

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
  function countFailureAfterCheck(owner: string, bucket: string, normalized: string, read: StoredThrottle) {
    const fingerprint = wrongPasswordFingerprint(throttleKey, owner, normalized);
    return updateThrottle(owner, read, (current, at) => {
      const next = afterFailure(current.state, bucket, fingerprint, true, at);
      const lockedOut = startsLockout(current.state, next, bucket, at);
      return { write: next, then: () => ({ lockedOut }) };
    });
  }

  /**
   * Resets the counts a success undoes. Should every attempt lose to parallel failures, the count stays one
   * too high: the safe side, and the answer stands.
   */
  const resetCounts = (owner: string, read: StoredThrottle, bucket: string, usedAt: Date) =>
    updateThrottle(owner, read, (current) => {
      const reset = afterSuccess(current.state, bucket, usedAt);
      return reset ? { write: reset, then: () => "done" as const } : { then: () => "done" as const };
    });

  return { admit, countFailureAfterCheck, resetCounts };
}

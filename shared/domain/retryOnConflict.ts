import { randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Refusal } from "./outcomes";

/** What an attempt returns when its conditional write lost a race: read again and retry. */
export const CONFLICT = "conflict";

/** The refusal when every attempt lost its race. */
export type Contention = Extract<Refusal, { code: "CONTENTION" }>;

export const CONTENTION: Contention = {
  code: "CONTENTION",
  detail: "Too many simultaneous changes to this user's app passwords. Try again.",
};

/** Attempts made before giving up with {@link CONTENTION}, unless the caller says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 60;

/**
 * Runs an optimistic-concurrency write until it applies: `attempt` reads what it needs, writes conditioned on
 * what it read, and returns `CONFLICT` when that write lost a race. Between attempts it waits a jittered,
 * growing pause. It never gives up silently: after `maxAttempts` the answer is {@link CONTENTION}.
 */
export async function retryOnConflict<T>(
  attempt: (attemptIndex: number) => Promise<T | typeof CONFLICT>,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
): Promise<T | Contention> {
  for (let i = 0; i < maxAttempts; i++) {
    const result = await attempt(i);
    if (result !== CONFLICT) return result;
    await sleep(randomInt(1, 5 + Math.min(i, 10) * 5));
  }
  return CONTENTION;
}

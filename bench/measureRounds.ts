import { summarize, type Summary } from "./stats";

/** One timed call: its duration, or why its answer was not the expected one (then it is not a sample). */
export type Sample = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly problem: string };

export interface Operation<K extends string = string> {
  readonly key: K;
  readonly label: string;
  run(round: number): Promise<Sample>;
}

export interface OperationResult<K extends string = string> extends Summary {
  readonly key: K;
  readonly label: string;
  /** Calls whose answer was not the expected one, with the first such answer. */
  readonly failures: number;
  readonly firstFailure?: string;
}

/**
 * Runs every operation once per round, one call at a time, for `warmup` unrecorded rounds and then `samples`
 * recorded ones. Each round starts one operation further along, so no operation always follows the same one,
 * and whatever the machine does meanwhile falls on all of them alike.
 */
export async function measureRounds<K extends string>(
  operations: readonly Operation<K>[],
  { warmup, samples }: { warmup: number; samples: number },
): Promise<OperationResult<K>[]> {
  const results = operations.map(() => ({
    times: [] as number[],
    failures: 0,
    firstFailure: undefined as string | undefined,
  }));
  for (let round = 0; round < warmup + samples; round++) {
    for (let step = 0; step < operations.length; step++) {
      const index = (step + round) % operations.length;
      const [operation, result] = [operations[index], results[index]];
      if (!operation || !result) continue;
      const sample = await operation.run(round);
      if (round < warmup) continue;
      if (sample.ok) result.times.push(sample.ms);
      else {
        result.failures++;
        result.firstFailure ??= sample.problem;
      }
    }
  }
  return operations.map(({ key, label }, index) => {
    const { times = [], failures = 0, firstFailure } = results[index] ?? {};
    return { key, label, ...summarize(times), failures, ...(firstFailure !== undefined && { firstFailure }) };
  });
}

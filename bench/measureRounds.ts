import type { Operation, OperationKey } from "./createOperations";
import { summarize, type Summary } from "./stats";
import type { StorageRequestCounter } from "./storageRequestCounter";

export interface OperationResult extends Summary {
  readonly key: OperationKey;
  readonly label: string;
  /** Table Storage requests per call, averaged over the measured calls (calls never overlap). */
  readonly storageRequests: number;
  /** Calls whose answer was not the expected one, with the first such answer. */
  readonly failures: number;
  readonly firstFailure?: string;
}

/**
 * Runs every operation once per round, one call at a time, for `warmup` unrecorded rounds and then
 * `samples` recorded ones. Each round starts one operation further along, so no operation always follows
 * the same one, and whatever the machine does meanwhile falls on all of them alike.
 */
export async function measureRounds(
  operations: readonly Operation[],
  counter: StorageRequestCounter,
  { warmup, samples }: { warmup: number; samples: number },
): Promise<OperationResult[]> {
  const times = operations.map((): number[] => []);
  const storage = operations.map(() => 0);
  const failures = operations.map(() => 0);
  const firstFailures = operations.map((): string | undefined => undefined);
  for (let round = 0; round < warmup + samples; round++) {
    for (let step = 0; step < operations.length; step++) {
      const index = (step + round) % operations.length;
      const operation = operations[index];
      if (!operation) continue;
      const before = counter.count;
      const sample = await operation.run(round);
      if (round < warmup) continue;
      storage[index] = (storage[index] ?? 0) + counter.count - before;
      if (sample.ok) times[index]?.push(sample.ms);
      else {
        failures[index] = (failures[index] ?? 0) + 1;
        firstFailures[index] ??= sample.problem;
      }
    }
  }
  return operations.map((operation, index) => {
    const firstFailure = firstFailures[index];
    return {
      key: operation.key,
      label: operation.label,
      ...summarize(times[index] ?? []),
      storageRequests: (storage[index] ?? 0) / samples,
      failures: failures[index] ?? 0,
      ...(firstFailure !== undefined && { firstFailure }),
    };
  });
}

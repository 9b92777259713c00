import { median } from "./stats";

export interface ThroughputResult {
  readonly concurrency: number;
  readonly callsPerPhase: number;
  /** Calls per second of each phase. */
  readonly phases: readonly number[];
  readonly medianPerSecond: number;
  readonly failures: number;
  /** CPU time per call, in milliseconds, by each clock given (this process, Azurite), over all phases. */
  readonly cpuMsPerCall: Readonly<Record<string, number>>;
}

/** Calls per second when `concurrency` callers run `task` back to back until `total` calls are done. */
async function runPhase(task: () => Promise<boolean>, concurrency: number, total: number) {
  let started = 0;
  let failures = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < total) {
        started++;
        if (!(await task())) failures++;
      }
    }),
  );
  return { perSecond: (total / (performance.now() - start)) * 1000, failures };
}

/** A call to repeat, and how many callers repeat it at once. */
export interface ThroughputTask {
  readonly run: () => Promise<boolean>;
  readonly concurrency: number;
}

/**
 * Throughput of each task, in alternating phases (A B C, C B A, A B C, ...) so a slow spell of the machine
 * hits all of them; the median phase of each is reported.
 */
export async function measureThroughput<K extends string>(
  tasks: Record<K, ThroughputTask>,
  options: {
    callsPerPhase: number;
    phases: number;
    /** Clocks of CPU time used, in milliseconds, read before and after each phase. */
    cpuClocks: Record<string, () => number>;
  },
): Promise<Record<K, ThroughputResult>> {
  const { callsPerPhase, phases, cpuClocks } = options;
  const keys = Object.keys(tasks) as K[];
  const clocks = Object.entries(cpuClocks);
  const perSecond = new Map<K, number[]>(keys.map((key) => [key, []]));
  const failures = new Map<K, number>(keys.map((key) => [key, 0]));
  const cpu = new Map<K, number[]>(keys.map((key) => [key, clocks.map(() => 0)]));
  for (let phase = 0; phase < phases; phase++) {
    const order = phase % 2 === 0 ? keys : [...keys].reverse();
    for (const key of order) {
      const before = clocks.map(([, read]) => read());
      const result = await runPhase(tasks[key].run, tasks[key].concurrency, callsPerPhase);
      const used = cpu.get(key);
      clocks.forEach(([, read], index) => {
        if (used) used[index] = (used[index] ?? 0) + read() - (before[index] ?? 0);
      });
      perSecond.get(key)?.push(result.perSecond);
      failures.set(key, (failures.get(key) ?? 0) + result.failures);
    }
  }
  return Object.fromEntries(
    keys.map((key) => {
      const phasesOfKey = perSecond.get(key) ?? [];
      const result: ThroughputResult = {
        concurrency: tasks[key].concurrency,
        callsPerPhase,
        phases: phasesOfKey,
        medianPerSecond: median(phasesOfKey),
        failures: failures.get(key) ?? 0,
        cpuMsPerCall: Object.fromEntries(
          clocks.map(([name], index) => [name, (cpu.get(key)?.[index] ?? 0) / (phases * callsPerPhase)]),
        ),
      };
      return [key, result];
    }),
  ) as Record<K, ThroughputResult>;
}

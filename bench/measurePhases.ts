import { median } from "./stats";

/** A call to repeat in phases, how many callers run it at once, and how many calls make one phase. */
export interface PhaseTask {
  readonly label: string;
  readonly concurrency: number;
  readonly callsPerPhase: number;
  /** One call; `call` counts calls across phases (fresh passwords are taken by it). False: a wrong answer. */
  readonly run: (call: number) => Promise<boolean>;
}

export interface PhaseResult {
  readonly label: string;
  readonly concurrency: number;
  readonly calls: number;
  /** Calls per second of each phase. */
  readonly perSecond: readonly number[];
  readonly medianPerSecond: number;
  readonly failures: number;
  /** CPU time per call, in milliseconds, by each clock (service, Azurite, bench), over all its phases. */
  readonly cpuMsPerCall: Readonly<Record<string, number>>;
}

/**
 * Runs each task in `phases` phases, the tasks taking turns in an order that rotates every phase, so a slow
 * spell of the machine falls on all of them; reads each CPU clock before and after every phase. CPU clocks of
 * other processes tick in 10 ms steps: many calls per phase keep that error small.
 */
export async function measurePhases<K extends string>(
  tasks: Record<K, PhaseTask>,
  phases: number,
  cpuClocks: Record<string, () => number>,
): Promise<Record<K, PhaseResult>> {
  const keys = Object.keys(tasks) as K[];
  const clocks = Object.entries(cpuClocks);
  const state = new Map(
    keys.map((key) => [key, { perSecond: [] as number[], failures: 0, calls: 0, cpu: clocks.map(() => 0) }]),
  );
  for (let phase = 0; phase < phases; phase++) {
    for (let step = 0; step < keys.length; step++) {
      const key = keys[(step + phase) % keys.length];
      const seen = key && state.get(key);
      if (!key || !seen) continue;
      const task = tasks[key];
      const before = clocks.map(([, read]) => read());
      const start = performance.now();
      let started = 0;
      await Promise.all(
        Array.from({ length: task.concurrency }, async () => {
          while (started < task.callsPerPhase) {
            started++;
            if (!(await task.run(seen.calls++))) seen.failures++;
          }
        }),
      );
      seen.perSecond.push((task.callsPerPhase / (performance.now() - start)) * 1000);
      clocks.forEach(([, read], index) => (seen.cpu[index] = (seen.cpu[index] ?? 0) + read() - (before[index] ?? 0)));
    }
  }
  return Object.fromEntries(
    keys.map((key) => {
      const { perSecond = [], failures = 0, calls = 0, cpu = [] } = state.get(key) ?? {};
      const task = tasks[key];
      const result: PhaseResult = {
        label: task.label,
        concurrency: task.concurrency,
        calls,
        perSecond,
        medianPerSecond: median(perSecond),
        failures,
        cpuMsPerCall: Object.fromEntries(clocks.map(([name], index) => [name, (cpu[index] ?? 0) / calls])),
      };
      return [key, result];
    }),
  ) as Record<K, PhaseResult>;
}

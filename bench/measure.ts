import { readFileSync } from "node:fs";

/** `UV_THREADPOOL_SIZE` as deployed (infra/app/api.bicep; a test holds them equal): argon2 runs on libuv's pool. */
export const DEPLOYED_THREADPOOL_SIZE = "2";

/** Median (mean of the two middle values for even n), nearest-rank p99, min and max of `samples`; NaN for none. */
export function summarize(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (index: number) => (n === 0 ? Number.NaN : (sorted[Math.min(n - 1, Math.max(0, index))] ?? Number.NaN));
  const middle = Math.floor(n / 2);
  const medianMs = n % 2 === 1 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
  return { n, medianMs, p99Ms: at(Math.ceil(0.99 * n) - 1), minMs: at(0), maxMs: at(n - 1) };
}
export const median = (values: readonly number[]): number => summarize(values).medianMs;

/** CPU time (user + system, all threads) of this process, in milliseconds. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The same of another process, from /proc (Linux's 100 ticks a second: 10 ms steps); NaN without /proc. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesized command name, which may hold spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** One call (numbered across rounds or phases): true, or what was wrong with its answer (then not a sample). */
export type Call = (call: number) => Promise<true | string>;
/** `concurrency` callers run `run` until the round (or phase) has made `perRound` calls. */
export type Task = {
  readonly label: string;
  readonly run: Call;
  readonly concurrency: number;
  readonly perRound: number;
};
export function task(label: string, run: Call, concurrency = 1, perRound = 1): Task {
  return { label, run, concurrency, perRound };
}
export type Measured = ReturnType<typeof summarize> & {
  readonly [key in "concurrency" | "calls" | "medianPerSecond" | "failures"]: number;
} & { label: string; firstFailure?: string; perSecond: number[]; cpuMsPerCall: Record<string, number> };
type Options = { phases: number; warmup?: number; clocks?: Readonly<Record<string, () => number>> };

/**
 * Runs each task in `warmup` unrecorded rounds, then `phases` recorded ones, in turns starting one further along
 * each round, so a slow moment of the machine falls on all alike. Records each call's time, each round's calls per
 * second, and each CPU clock's time per call over all rounds (10 ms ticks: many calls per round).
 */
export async function measure<K extends string>(tasks: Readonly<Record<K, Task>>, options: Options) {
  const { phases, warmup = 0, clocks = {} } = options;
  const [keys, readers] = [Object.keys(tasks) as K[], Object.entries(clocks)];
  const fresh = () => ({ times: [] as number[], perSecond: [] as number[], failures: 0, first: "", calls: 0 });
  const seen = keys.map(() => ({ ...fresh(), cpu: [0] }));
  for (let phase = 0; phase < warmup + phases; phase++) {
    for (let step = 0; step < keys.length; step++) {
      const index = (step + phase) % keys.length;
      const [{ concurrency, perRound, run }, result] = [tasks[keys[index] as K], seen[index] as (typeof seen)[number]];
      const [recorded, before, start] = [phase >= warmup, readers.map(([, read]) => read()), performance.now()];
      let started = 0;
      const caller = async () => {
        while (started++ < perRound) {
          const callStart = performance.now();
          const outcome = await run(result.calls++);
          if (!recorded) continue;
          if (outcome === true) result.times.push(performance.now() - callStart);
          else if (result.failures++ === 0) result.first = outcome;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, caller));
      if (!recorded) continue;
      result.perSecond.push((perRound / (performance.now() - start)) * 1000);
      readers.forEach(([, read], i) => (result.cpu[i] = (result.cpu[i] ?? 0) + read() - (before[i] ?? 0)));
    }
  }
  const measured = {} as Record<K, Measured>;
  keys.forEach((key, index) => {
    const { times = [], perSecond = [], failures = 0, first = "", cpu = [] } = seen[index] ?? {};
    const [{ label, concurrency }, calls] = [tasks[key], times.length + failures];
    const cpuMsPerCall = Object.fromEntries(readers.map(([name], i) => [name, (cpu[i] ?? 0) / calls]));
    const [summary, medianPerSecond] = [summarize(times), median(perSecond)];
    measured[key] = { label, concurrency, calls, ...summary, perSecond, medianPerSecond, failures, cpuMsPerCall };
    if (failures > 0) measured[key].firstFailure = first;
  });
  return measured;
}

import { median, type Measured } from "./measure";

/** The operations timed round-robin, one call at a time, and the phases that give throughput and CPU per call. */
type VerifyKey = "coldRight" | "wrongPassword" | "unknownUser" | "repeat";
export type OperationKey = "argon2" | VerifyKey | "create" | "list" | "listFloor" | "delete";
export type PhaseKey = "argon2Serial" | "coldSerial" | "repeatSerial" | "argon2Parallel" | "repeatParallel";
/** A fresh process: spawn to listening and to its first answer, and its own view (see bench/child.ts). */
const COLD_ROWS = {
  firstResponseMs: "spawn to first answered verify",
  listeningMs: "spawn to listening",
  bootstrapMs: "  node start-up (the child's view)",
  moduleLoadMs: "  loading its modules",
  initMs: "  start-up work until it listens",
};
const COLD_FLOORS =
  "Stack floor: node, the libraries the first verify needs, one table read and one argon2, none of this code. " +
  "Node alone: an HTTP server answering `{}`. Each is started right after each service run, the same way.";
export type ColdStartRun = Readonly<Record<keyof typeof COLD_ROWS, number>>;
/** Run i of each floor was started right after run i of the service, the same way. */
export type ColdStart = Readonly<Record<"service" | "stack" | "node", readonly ColdStartRun[]>>;

export interface MeasuredRun {
  readonly operations: Readonly<Record<OperationKey, Measured>>;
  readonly phases: Readonly<Record<PhaseKey, Measured>>;
  readonly coldStart?: ColdStart;
}

/** Fewer samples than this and a target reads "n/a": a median of a handful says little. */
export const MIN_SAMPLES = 50;
type Goal = readonly number[];
export type TargetResult = ReturnType<typeof evaluateTargets>[number];

/** "<= 0.25", ">= 2.5", "0.85 .. 1.15", with " ms" for times. */
const describe = ([low = 0, high = 0]: Goal, unit: string) =>
  `${low === -Infinity ? `<= ${high}` : high === Infinity ? `>= ${low}` : `${low} .. ${high}`}${unit === "ms" ? " ms" : ""}`;

/**
 * The targets, each a ratio to (or distance from) a floor of the same run with none of this code (bench/child.ts),
 * on medians (CPU: totals over a phase's calls). Each PASS, MISS, or n/a (too few samples, or a failed call).
 */
export function evaluateTargets(run: MeasuredRun) {
  const { operations, phases } = run;
  const enough = (...keys: OperationKey[]) =>
    keys.every((key) => operations[key].n >= MIN_SAMPLES && operations[key].failures === 0);
  const target = (name: string, value: number, goal: Goal, valid: boolean, unit: "x" | "ms" = "x") => ({
    ...{ name, value, unit, goal: describe(goal, unit) },
    verdict:
      !valid || Number.isNaN(value) ? "n/a" : value >= (goal[0] ?? NaN) && value <= (goal[1] ?? NaN) ? "PASS" : "MISS",
  });
  const ratio = (name: string, over: OperationKey, under: OperationKey, goal: Goal) =>
    target(name, operations[over].medianMs / operations[under].medianMs, goal, enough(over, under));
  const clean = (...keys: PhaseKey[]) => keys.every((key) => phases[key].failures === 0);
  const cpu = (name: string, phase: PhaseKey, goal: Goal) => {
    const value = (phases[phase].cpuMsPerCall.service ?? NaN) / (phases.argon2Serial.cpuMsPerCall.bench ?? NaN);
    return target(`service CPU per ${name} verify / argon2 CPU per verify`, value, goal, clean(phase, "argon2Serial"));
  };
  // Phase i (cold start i) of each ran close together: their ratio cancels slow spells a ratio of medians keeps.
  const paired = (over: readonly number[], under: readonly number[], by: (a: number, b: number) => number) =>
    median(over.map((value, i) => by(value, under[i] ?? Number.NaN)));
  const [within15, atMost, atLeast] = [[0.85, 1.15], (n: number) => [-Infinity, n], (n: number) => [n, Infinity]];

  const { repeatParallel, argon2Parallel } = phases;
  const targets = [
    cpu("repeat", "repeatSerial", atMost(0.25)),
    target(
      `repeat verify throughput / argon2 throughput (concurrency ${repeatParallel.concurrency})`,
      paired(repeatParallel.perSecond, argon2Parallel.perSecond, (a, b) => a / b),
      atLeast(2.5),
      clean("repeatParallel", "argon2Parallel"),
    ),
    ratio("repeat verify / first-time right verify (latency)", "repeat", "coldRight", atMost(0.35)),
    cpu("cold", "coldSerial", atMost(1.35)),
    ratio("wrong password / first-time right password", "wrongPassword", "coldRight", within15),
    ratio("unknown user / first-time right password", "unknownUser", "coldRight", within15),
    ratio("unknown user / wrong password", "unknownUser", "wrongPassword", within15),
    ratio("list, 40 stored / list floor", "list", "listFloor", atMost(1.15)),
  ];
  if (!run.coldStart) return targets;
  const { service, stack } = run.coldStart;
  const [first, floor] = [service, stack].map((runs) => runs.map((one) => one.firstResponseMs));
  const above = paired(first ?? [], floor ?? [], (a, b) => a - b);
  return [...targets, target("cold start - stack floor (first answered verify)", above, atMost(100), true, "ms")];
}

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(2));
const withFailures = (text: string, failures: number) => (failures === 0 ? text : `${text} (${failures} failed)`);

const operationRow = (o: Measured) => [o.label, ms(o.medianMs), ms(o.p99Ms), withFailures(`${o.n}`, o.failures)];

/** A Markdown table: the first column text, the others numbers, aligned right. */
function table(header: readonly string[], rows: readonly (readonly string[])[]) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const pad = (cell: string, column: number) => cell[column === 0 ? "padEnd" : "padStart"](widths[column] ?? 0);
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(" | ")} |`;
  const rule = widths.map((width, column) => (column === 0 ? "-".repeat(width + 2) : `${"-".repeat(width + 1)}:`));
  return [line(header), `|${rule.join("|")}|`, ...rows.map(line)].join("\n");
}

/** The run as Markdown tables, under `heading` (the machine and the settings): what docs/performance.md shows. */
export function formatReport(heading: string, run: MeasuredRun, targets: readonly TargetResult[]): string {
  const clocks = ["service", "Azurite", "bench"];
  const parts = [
    heading,
    table(["operation", "median ms", "p99 ms", "samples"], Object.values(run.operations).map(operationRow)),
    table(
      ["phase", "concurrency", "median calls/s", ...clocks.map((clock) => `CPU ms/call, ${clock}`), "calls"],
      Object.values(run.phases).map(({ label, concurrency, medianPerSecond, failures, cpuMsPerCall, calls }) => [
        ...[label, String(concurrency), withFailures(medianPerSecond.toFixed(1), failures)],
        ...clocks.map((clock) => ms(cpuMsPerCall[clock.toLowerCase()])),
        String(calls),
      ]),
    ),
  ];
  if (run.coldStart) {
    const kinds = [run.coldStart.service, run.coldStart.stack, run.coldStart.node];
    const rows = Object.entries(COLD_ROWS).map(([key, label]) => [
      label,
      ...kinds.map((runs) => ms(median(runs.map((one) => one[key as keyof ColdStartRun])))),
    ]);
    const title = `cold start, fresh node process (median of ${kinds[0]?.length ?? 0})`;
    parts.push(table([title, "service", "stack floor", "node alone"], rows), COLD_FLOORS);
  }
  const value = ({ unit, value }: TargetResult) => (unit === "ms" ? `${ms(value)} ms` : `${value.toFixed(2)}x`);
  const rows = targets.map((target) => [target.name, value(target), target.goal, target.verdict]);
  return [...parts, table(["target (medians)", "value", "goal", "result"], rows)].join("\n\n");
}

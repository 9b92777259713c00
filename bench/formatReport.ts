import { describeGoal, PHASE_KEYS, type MeasuredRun, type TargetResult } from "./evaluateTargets";
import type { ColdStartKind } from "./measureColdStart";

/** Where and how the run was made. */
export interface RunEnvironment {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  /** `UV_THREADPOOL_SIZE` of the bench and the service: argon2 runs on this pool. */
  readonly uvThreadpoolSize: string;
  readonly argon2: { readonly memoryKib: number; readonly timeCost: number; readonly parallelism: number };
  /** The machine's 1-minute load average when the run started and ended: other work skews the numbers. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly samples: number;
  readonly warmupRounds: number;
  readonly phases: number;
  readonly date: string;
}

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(2));
const withFailures = (text: string, failures: number) => (failures === 0 ? text : `${text} (${failures} failed)`);

function table(header: readonly string[], rows: readonly (readonly string[])[]) {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  // The first column is text; the others are numbers, aligned right.
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? "-".repeat(width + 2) : `${"-".repeat(width + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** The run as Markdown tables: what is printed on stdout and pasted into the README. */
export function formatReport(environment: RunEnvironment, run: MeasuredRun, targets: readonly TargetResult[]): string {
  const { argon2, loadAverage } = environment;
  const parts = [
    `Machine: ${environment.cpus} CPUs (${environment.cpuModel}), node ${environment.node}, ${environment.platform}; ` +
      `UV_THREADPOOL_SIZE=${environment.uvThreadpoolSize}; load average ${loadAverage.start.toFixed(2)} at start, ${loadAverage.end.toFixed(2)} at end.`,
    `argon2id m=${argon2.memoryKib} KiB, t=${argon2.timeCost}, p=${argon2.parallelism}. Latency: ${environment.samples} rounds after ` +
      `${environment.warmupRounds} warm-up rounds, operations interleaved round-robin, one call at a time. ` +
      `Throughput and CPU: ${environment.phases} rounds of phases, interleaved. The service, Azurite and the bench each run in a process of their own.`,
    "",
    table(
      ["operation", "median ms", "p99 ms", "samples"],
      run.operations.map((result) => [
        result.label,
        ms(result.medianMs),
        ms(result.p99Ms),
        withFailures(String(result.n), result.failures),
      ]),
    ),
    "",
    table(
      [
        "phase",
        "concurrency",
        "median calls/s",
        "CPU ms/call, service",
        "CPU ms/call, Azurite",
        "CPU ms/call, bench",
        "calls",
      ],
      PHASE_KEYS.map((key) => {
        const phase = run.phases[key];
        return [
          phase.label,
          String(phase.concurrency),
          withFailures(phase.medianPerSecond.toFixed(1), phase.failures),
          ms(phase.cpuMsPerCall.service),
          ms(phase.cpuMsPerCall.azurite),
          ms(phase.cpuMsPerCall.bench),
          String(phase.calls),
        ];
      }),
    ),
  ];
  if (run.coldStart) {
    const { runs, floors, ...service } = run.coldStart;
    const kinds = [service, floors.stack, floors.node];
    const row = (label: string, pick: (kind: ColdStartKind) => number) => [
      label,
      ...kinds.map((kind) => ms(pick(kind))),
    ];
    parts.push(
      "",
      table(
        [`cold start, fresh node process (median of ${runs})`, "service", "stack floor", "node alone"],
        [
          row("spawn to first answered verify", (kind) => kind.medianFirstResponseMs),
          row("spawn to listening", (kind) => kind.medianListeningMs),
          row("  node start-up (the child's view)", (kind) => kind.medianBootstrapMs),
          row("  loading its modules", (kind) => kind.medianModuleLoadMs),
          row("  start-up work until it listens", (kind) => kind.medianInitMs),
        ],
      ),
      "",
      "Stack floor: node, the libraries the first verify needs, one table read and one argon2, none of this code. " +
        "Node alone: an HTTP server answering `{}`. Each is started right after each service run, the same way.",
    );
  }
  parts.push(
    "",
    table(
      ["target (medians)", "value", "goal", "result"],
      targets.map((target) => [
        target.name,
        target.unit === "ms" ? `${ms(target.value)} ms` : `${target.value.toFixed(2)}x`,
        describeGoal(target.goal, target.unit),
        target.verdict,
      ]),
    ),
  );
  return parts.join("\n");
}

import type { OperationKey } from "./createOperations";
import type { ThroughputResult } from "./measureThroughput";
import { describeGoal, type MeasuredRun, type TargetResult } from "./evaluateTargets";

/** Where and how the run was made. */
export interface RunEnvironment {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  /** `UV_THREADPOOL_SIZE` the run used: argon2 runs on this pool. */
  readonly uvThreadpoolSize: string;
  readonly argon2: { readonly memoryKib: number; readonly timeCost: number; readonly parallelism: number };
  /** The machine's 1-minute load average when the run started and ended: other work skews the numbers. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly samples: number;
  readonly warmupRounds: number;
  readonly date: string;
}

const ms = (value: number) => (Number.isNaN(value) ? "n/a" : value.toFixed(2));

const throughputRow = (label: string, result: ThroughputResult) => [
  label,
  result.failures === 0
    ? result.medianPerSecond.toFixed(1)
    : `${result.medianPerSecond.toFixed(1)} (${result.failures} failed)`,
  ms(result.cpuMsPerCall.service ?? Number.NaN),
  ms(result.cpuMsPerCall.azurite ?? Number.NaN),
  `${result.phases.length} x ${result.callsPerPhase} calls`,
];

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly number[]) {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return rightAligned.includes(column) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join(" | ")} |`;
  const rule = `|${widths.map((width, column) => (rightAligned.includes(column) ? `${"-".repeat(width + 1)}:` : "-".repeat(width + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** The run as Markdown tables: what is printed on stdout and pasted into the README. */
export function formatReport(environment: RunEnvironment, run: MeasuredRun, targets: readonly TargetResult[]): string {
  const { argon2 } = environment;
  const parts = [
    `Machine: ${environment.cpus} CPUs (${environment.cpuModel}), node ${environment.node}, ${environment.platform}; ` +
      `UV_THREADPOOL_SIZE=${environment.uvThreadpoolSize}; ` +
      `load average ${environment.loadAverage.start.toFixed(2)} at start, ${environment.loadAverage.end.toFixed(2)} at end.`,
    `argon2id m=${argon2.memoryKib} KiB, t=${argon2.timeCost}, p=${argon2.parallelism}. ` +
      `${environment.samples} rounds after ${environment.warmupRounds} warm-up rounds, operations interleaved round-robin, one call at a time.`,
    "",
    table(
      ["operation", "median ms", "p99 ms", "storage requests", "samples"],
      run.operations.map((result) => [
        result.label,
        ms(result.medianMs),
        ms(result.p99Ms),
        result.storageRequests.toFixed(1),
        result.failures === 0 ? String(result.n) : `${result.n} (${result.failures} failed)`,
      ]),
      [1, 2, 3, 4],
    ),
    "",
    table(
      ["throughput", "median calls/s", "CPU ms/call, this process", "CPU ms/call, Azurite", "phases"],
      [
        throughputRow(
          `verify over HTTP (40 stored), concurrency ${run.throughput.service.concurrency}`,
          run.throughput.service,
        ),
        throughputRow(
          `argon2id verify, in process, concurrency ${run.throughput.bare.concurrency}`,
          run.throughput.bare,
        ),
        throughputRow("argon2id verify, in process, concurrency 1", run.throughput.bareSerial),
      ],
      [1, 2, 3],
    ),
  ];
  if (run.coldStart) {
    const cold = run.coldStart;
    parts.push(
      "",
      table(
        [`cold start, fresh node process (median of ${cold.runs})`, "ms"],
        [
          ["spawn to first answered verify", ms(cold.medianFirstResponseMs)],
          ["spawn to listening", ms(cold.medianListeningMs)],
          ["  node start-up (to the first line of the script)", ms(cold.medianBootstrapMs)],
          ["  module load (dev/startLocalService, shared/, Azure SDK, jose, zod)", ms(cold.medianModuleLoadMs)],
          ["  start-up (config, function modules, listen)", ms(cold.medianInitMs)],
          ["first verify (listening to its answer)", ms(cold.medianFirstVerifyMs)],
        ],
        [1],
      ),
    );
  }
  const byKey = new Map(run.operations.map((result) => [result.key, result.medianMs]));
  const median = (key: OperationKey) => byKey.get(key) ?? Number.NaN;
  const times = (value: number) => `${value.toFixed(2)}x`;
  const ratio = (over: OperationKey, under: OperationKey) => times(median(over) / median(under));
  const { service, bare } = run.throughput;
  const cpu = (result: ThroughputResult) => Object.values(result.cpuMsPerCall).reduce((sum, ms) => sum + ms, 0);
  parts.push(
    "",
    table(
      ["diagnostic ratio (medians)", "value"],
      [
        [
          "verify by login name / by object id (cost of the login lookup)",
          ratio("verifyForty", "verifyFortyByObjectId"),
        ],
        ["unknown user (new name) / wrong password (account existence)", ratio("unknownUser", "wrongPassword")],
        ["unknown user asked before / wrong password (account existence)", ratio("unknownUserSeen", "wrongPassword")],
        // The best each target could be on this machine: argon2 plus only the round trips the design needs.
        [
          "best verify / floor: (floor + HTTP round trip + 2 storage reads in turn) / floor",
          times((median("verifyFloor") + median("httpFloor") + 2 * median("storageReadFloor")) / median("verifyFloor")),
        ],
        [
          "best create / hash: (hash + HTTP round trip + 1 transaction) / hash",
          times((median("hashFloor") + median("httpFloor") + median("storageTransactionFloor")) / median("hashFloor")),
        ],
        [
          "throughput / bare as CPU per call predicts: bare CPU / (service + Azurite CPU)",
          times(cpu(bare) / cpu(service)),
        ],
      ],
      [1],
    ),
    "",
    table(
      ["target (medians)", "value", "goal", "result"],
      targets.map((target) => [
        target.name,
        target.unit === "ms" ? `${ms(target.value)} ms` : `${target.value.toFixed(2)}x`,
        describeGoal(target.goal, target.unit),
        target.verdict,
      ]),
      [1],
    ),
  );
  return parts.join("\n");
}

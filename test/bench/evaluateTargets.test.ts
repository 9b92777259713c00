import { describe, expect, it } from "vitest";
import { OPERATION_KEYS, type OperationKey } from "../../bench/createOperations";
import { evaluateTargets, MIN_SAMPLES, type MeasuredRun } from "../../bench/evaluateTargets";
import type { ColdStartResult } from "../../bench/measureColdStart";
import type { OperationResult } from "../../bench/measureRounds";
import type { ThroughputResult } from "../../bench/measureThroughput";
import { summarize } from "../../bench/stats";

/** Medians that meet every target: argon2 at 10 ms, everything else a little more. */
const MEETING: Record<OperationKey, number> = {
  hashFloor: 10,
  verifyFloor: 10,
  verifyOne: 11,
  verifyForty: 11.5,
  wrongPassword: 11,
  unknownUser: 11,
  unknownUserSeen: 11,
  create: 11.9,
  listForty: 4.9,
  delete: 3,
  verifyFortyByObjectId: 10.5,
  httpFloor: 0.3,
  storageReadFloor: 0.9,
  storageTransactionFloor: 1.1,
};

const operation = (key: OperationKey, medianMs: number, n = 200): OperationResult => ({
  key,
  label: key,
  n,
  medianMs,
  p99Ms: medianMs * 2,
  minMs: medianMs / 2,
  maxMs: medianMs * 3,
  storageRequests: 0,
  failures: 0,
});

const throughput = (phases: readonly number[], failures = 0): ThroughputResult => ({
  concurrency: 8,
  callsPerPhase: 64,
  phases,
  medianPerSecond: summarize(phases).medianMs,
  failures,
  cpuMsPerCall: {},
});

const coldStart = (medianFirstResponseMs: number): ColdStartResult => ({
  runs: 7,
  firstResponseMs: [medianFirstResponseMs],
  medianFirstResponseMs,
  medianListeningMs: 0,
  medianFirstVerifyMs: 0,
  medianBootstrapMs: 0,
  medianModuleLoadMs: 0,
  medianInitMs: 0,
});

function run(
  overrides: Partial<Record<OperationKey, number>> = {},
  options: { samples?: Partial<Record<OperationKey, number>>; service?: ThroughputResult; coldMs?: number } = {},
): MeasuredRun {
  return {
    operations: OPERATION_KEYS.map((key) =>
      operation(key, overrides[key] ?? MEETING[key], options.samples?.[key] ?? 200),
    ),
    throughput: {
      service: options.service ?? throughput([90, 180, 95]),
      bare: throughput([100, 200, 100]),
      bareSerial: throughput([60, 60, 60]),
    },
    ...(options.coldMs !== undefined && { coldStart: coldStart(options.coldMs) }),
  };
}

const verdicts = (measured: MeasuredRun) =>
  Object.fromEntries(evaluateTargets(measured).map((target) => [target.name, target.verdict]));
const valueOf = (measured: MeasuredRun, prefix: string) =>
  evaluateTargets(measured).find((target) => target.name.startsWith(prefix))?.value;

describe("bench targets", () => {
  it("passes every target when each median is within its margin", () => {
    const all = verdicts(run({}, { coldMs: 299 }));
    expect(Object.keys(all)).toHaveLength(8);
    expect(Object.values(all).every((verdict) => verdict === "PASS")).toBe(true);
  });

  it("computes each ratio from medians, over the floor it names", () => {
    const measured = run({}, { coldMs: 250 });
    expect(valueOf(measured, "verify (40 stored) / bare")).toBeCloseTo(1.15);
    expect(valueOf(measured, "verify 40 stored / 1 stored")).toBeCloseTo(11.5 / 11);
    expect(valueOf(measured, "create / bare argon2 hash")).toBeCloseTo(1.19);
    expect(valueOf(measured, "list")).toBe(4.9);
  });

  it("misses a target just past its bound, and counts a bound itself as met", () => {
    expect(verdicts(run({ verifyForty: 11.6 }))["verify (40 stored) / bare argon2 verify"]).toBe("MISS");
    expect(verdicts(run({ create: 12.1 }))["create / bare argon2 hash"]).toBe("MISS");
    expect(verdicts(run({ listForty: 5 }))["list, 40 stored"]).toBe("PASS");
    expect(verdicts(run({ listForty: 5.01 }))["list, 40 stored"]).toBe("MISS");
    expect(verdicts(run({ wrongPassword: 8.8 }))["wrong password / right password (1 stored)"]).toBe("PASS");
    expect(verdicts(run({ wrongPassword: 8.7 }))["wrong password / right password (1 stored)"]).toBe("MISS");
    expect(verdicts(run({ unknownUser: 13.8 }))["unknown user / right password (1 stored)"]).toBe("MISS");
  });

  it("takes throughput as the median of per-phase ratios, so one slow phase of both cancels out", () => {
    // Phase ratios 0.9, 0.9, 0.95: median 0.9. A ratio of the medians would say 95 / 100 = 0.95.
    const measured = run({}, { service: throughput([90, 180, 95]) });
    expect(valueOf(measured, "verify throughput")).toBeCloseTo(0.9);
    const slow = run({}, { service: throughput([80, 160, 95]) });
    expect(valueOf(slow, "verify throughput")).toBeCloseTo(0.8);
    expect(verdicts(slow)["verify throughput / bare verify throughput (concurrency 8)"]).toBe("MISS");
  });

  it("reads n/a, not PASS, with too few samples or any failed call", () => {
    const few = verdicts(run({}, { samples: { verifyFloor: MIN_SAMPLES - 1 } }));
    expect(few["verify (40 stored) / bare argon2 verify"]).toBe("n/a");
    expect(few["verify 40 stored / 1 stored"]).toBe("PASS");
    const failing = verdicts(run({}, { service: throughput([90, 180, 95], 1) }));
    expect(failing["verify throughput / bare verify throughput (concurrency 8)"]).toBe("n/a");
  });

  it("wants the cold start strictly under 300 ms, and leaves it out when not measured", () => {
    expect(verdicts(run({}, { coldMs: 300 }))["cold start: spawn to first answered verify"]).toBe("MISS");
    expect(verdicts(run({}, { coldMs: 299.9 }))["cold start: spawn to first answered verify"]).toBe("PASS");
    expect(Object.keys(verdicts(run()))).not.toContain("cold start: spawn to first answered verify");
  });
});

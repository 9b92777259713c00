import type { OperationKey } from "./createOperations";
import type { ColdStartResult } from "./measureColdStart";
import type { OperationResult } from "./measureRounds";
import type { ThroughputResult } from "./measureThroughput";
import { median } from "./stats";

/** Fewer samples than this and a target reads "n/a": a median of a handful says little. */
export const MIN_SAMPLES = 50;

export type Goal =
  | { readonly atMost: number }
  | { readonly atLeast: number }
  | { readonly below: number }
  | { readonly between: readonly [number, number] };

export interface TargetResult {
  readonly name: string;
  readonly value: number;
  readonly unit: "x" | "ms";
  readonly goal: Goal;
  readonly verdict: "PASS" | "MISS" | "n/a";
}

export interface MeasuredRun {
  readonly operations: readonly OperationResult[];
  readonly throughput: {
    readonly service: ThroughputResult;
    readonly bare: ThroughputResult;
    readonly bareSerial: ThroughputResult;
  };
  readonly coldStart?: ColdStartResult;
}

const meets = (value: number, goal: Goal) => {
  if ("atMost" in goal) return value <= goal.atMost;
  if ("atLeast" in goal) return value >= goal.atLeast;
  if ("below" in goal) return value < goal.below;
  return value >= goal.between[0] && value <= goal.between[1];
};

/** The targets, each on medians, with PASS or MISS. */
export function evaluateTargets(run: MeasuredRun): TargetResult[] {
  const byKey = new Map(run.operations.map((result) => [result.key, result]));
  const enough = (...keys: OperationKey[]) => keys.every((key) => (byKey.get(key)?.n ?? 0) >= MIN_SAMPLES);
  const medianOf = (key: OperationKey) => byKey.get(key)?.medianMs ?? Number.NaN;

  const target = (name: string, value: number, unit: "x" | "ms", goal: Goal, valid: boolean): TargetResult => ({
    name,
    value,
    unit,
    goal,
    verdict: !valid || Number.isNaN(value) ? "n/a" : meets(value, goal) ? "PASS" : "MISS",
  });
  const ratio = (name: string, over: OperationKey, under: OperationKey, goal: Goal) =>
    target(name, medianOf(over) / medianOf(under), "x", goal, enough(over, under));

  const { service, bare } = run.throughput;
  const targets = [
    ratio("verify (40 stored) / bare argon2 verify", "verifyForty", "verifyFloor", { atMost: 1.15 }),
    ratio("verify 40 stored / 1 stored", "verifyForty", "verifyOne", { atMost: 1.1 }),
    target(
      `verify throughput / bare verify throughput (concurrency ${service.concurrency})`,
      // Phase i of each ran back to back: their ratio cancels slow spells that a ratio of medians keeps.
      median(service.phases.map((perSecond, phase) => perSecond / (bare.phases[phase] ?? Number.NaN))),
      "x",
      { atLeast: 0.85 },
      service.failures === 0 && bare.failures === 0,
    ),
    ratio("create / bare argon2 hash", "create", "hashFloor", { atMost: 1.2 }),
    target("list, 40 stored", medianOf("listForty"), "ms", { atMost: 5 }, enough("listForty")),
    ratio("wrong password / right password (1 stored)", "wrongPassword", "verifyOne", { between: [0.8, 1.25] }),
    ratio("unknown user / right password (1 stored)", "unknownUser", "verifyOne", { between: [0.8, 1.25] }),
  ];
  if (run.coldStart) {
    targets.push(
      target(
        "cold start: spawn to first answered verify",
        run.coldStart.medianFirstResponseMs,
        "ms",
        { below: 300 },
        true,
      ),
    );
  }
  return targets;
}

/** "<= 1.15", "0.8 .. 1.25", "< 300 ms". */
export function describeGoal(goal: Goal, unit: "x" | "ms"): string {
  const suffix = unit === "ms" ? " ms" : "";
  if ("atMost" in goal) return `<= ${goal.atMost}${suffix}`;
  if ("atLeast" in goal) return `>= ${goal.atLeast}${suffix}`;
  if ("below" in goal) return `< ${goal.below}${suffix}`;
  return `${goal.between[0]} .. ${goal.between[1]}${suffix}`;
}

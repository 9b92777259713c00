import type { ColdStartResult } from "./measureColdStart";
import type { PhaseResult } from "./measurePhases";
import type { OperationResult } from "./measureRounds";
import { median } from "./stats";

/** The operations timed round-robin, one call at a time. */
export const OPERATION_KEYS = [
  "argon2",
  "coldRight",
  "wrongPassword",
  "unknownUser",
  "repeat",
  "create",
  "list",
  "listFloor",
  "delete",
] as const;
export type OperationKey = (typeof OPERATION_KEYS)[number];

/** The phases that give throughput and CPU per call: argon2 alone, cold and repeat verifies. */
export const PHASE_KEYS = ["argon2Serial", "coldSerial", "repeatSerial", "argon2Parallel", "repeatParallel"] as const;
export type PhaseKey = (typeof PHASE_KEYS)[number];

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
  /**
   * "OUT OF REACH": missed, and so was the same goal by a floor measured in the same run that none of this
   * code can go below (bench/floorProcess: for the cold start the stack floor, for list the list floor).
   */
  readonly verdict: "PASS" | "MISS" | "OUT OF REACH" | "n/a";
}

export interface MeasuredRun {
  readonly operations: readonly OperationResult<OperationKey>[];
  readonly phases: Readonly<Record<PhaseKey, PhaseResult>>;
  readonly coldStart?: ColdStartResult;
}

const meets = (value: number, goal: Goal) => {
  if ("atMost" in goal) return value <= goal.atMost;
  if ("atLeast" in goal) return value >= goal.atLeast;
  if ("below" in goal) return value < goal.below;
  return value >= goal.between[0] && value <= goal.between[1];
};

/** Issue 15's targets, on medians (CPU: totals over all calls of a phase kind), each PASS, MISS or n/a. */
export function evaluateTargets(run: MeasuredRun): TargetResult[] {
  const byKey = new Map(run.operations.map((result) => [result.key, result]));
  const enough = (...keys: OperationKey[]) =>
    keys.every((key) => (byKey.get(key)?.n ?? 0) >= MIN_SAMPLES && byKey.get(key)?.failures === 0);
  const medianOf = (key: OperationKey) => byKey.get(key)?.medianMs ?? Number.NaN;
  const clean = (...keys: PhaseKey[]) => keys.every((key) => run.phases[key].failures === 0);

  const target = (name: string, value: number, unit: "x" | "ms", goal: Goal, valid: boolean): TargetResult => ({
    name,
    value,
    unit,
    goal,
    verdict: !valid || Number.isNaN(value) ? "n/a" : meets(value, goal) ? "PASS" : "MISS",
  });
  const ratio = (name: string, over: OperationKey, under: OperationKey, goal: Goal) =>
    target(name, medianOf(over) / medianOf(under), "x", goal, enough(over, under));
  const { argon2Serial, coldSerial, repeatSerial, argon2Parallel, repeatParallel } = run.phases;
  const argon2Cpu = argon2Serial.cpuMsPerCall.bench ?? Number.NaN;
  const serviceCpu = (phase: PhaseResult) => (phase.cpuMsPerCall.service ?? Number.NaN) / argon2Cpu;
  const within15 = { between: [0.85, 1.15] } as const;

  const targets = [
    target(
      "service CPU per repeat verify / argon2 CPU per verify",
      serviceCpu(repeatSerial),
      "x",
      { atMost: 0.25 },
      clean("repeatSerial", "argon2Serial"),
    ),
    target(
      `repeat verify throughput / argon2 throughput (concurrency ${repeatParallel.concurrency})`,
      // Phase i of each ran close together: their ratio cancels slow spells that a ratio of medians keeps.
      median(
        repeatParallel.perSecond.map((perSecond, phase) => perSecond / (argon2Parallel.perSecond[phase] ?? Number.NaN)),
      ),
      "x",
      { atLeast: 2.5 },
      clean("repeatParallel", "argon2Parallel"),
    ),
    ratio("repeat verify / first-time right verify (latency)", "repeat", "coldRight", { atMost: 0.35 }),
    target(
      "service CPU per cold verify / argon2 CPU per verify",
      serviceCpu(coldSerial),
      "x",
      { atMost: 1.35 },
      clean("coldSerial", "argon2Serial"),
    ),
    ratio("wrong password / first-time right password", "wrongPassword", "coldRight", within15),
    ratio("unknown user / first-time right password", "unknownUser", "coldRight", within15),
    ratio("unknown user / wrong password", "unknownUser", "wrongPassword", within15),
    outOfReachBelow(
      target("list, 40 stored", medianOf("list"), "ms", { atMost: 5 }, enough("list")),
      enough("listFloor") ? medianOf("listFloor") : Number.NaN,
    ),
  ];
  if (run.coldStart) {
    const { medianFirstResponseMs, floors } = run.coldStart;
    const coldStart = target(
      "cold start: spawn to first answered verify",
      medianFirstResponseMs,
      "ms",
      { below: 300 },
      true,
    );
    targets.push(outOfReachBelow(coldStart, floors.stack.medianFirstResponseMs));
  }
  return targets;
}

/** A missed target reads OUT OF REACH when the floor measured beside it (NaN: none) misses its goal too. */
function outOfReachBelow(result: TargetResult, floor: number): TargetResult {
  return result.verdict === "MISS" && !Number.isNaN(floor) && !meets(floor, result.goal)
    ? { ...result, verdict: "OUT OF REACH" }
    : result;
}

/** "<= 0.25", "0.85 .. 1.15", "< 300 ms". */
export function describeGoal(goal: Goal, unit: "x" | "ms"): string {
  const suffix = unit === "ms" ? " ms" : "";
  if ("atMost" in goal) return `<= ${goal.atMost}${suffix}`;
  if ("atLeast" in goal) return `>= ${goal.atLeast}${suffix}`;
  if ("below" in goal) return `< ${goal.below}${suffix}`;
  return `${goal.between[0]} .. ${goal.between[1]}${suffix}`;
}

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createArgon2Hasher } from "../shared/adapters/argon2Hasher";
import { loadConfig } from "../shared/adapters/config";
import { generateAppPassword } from "../shared/domain/appPasswordSecret";
import { DEV_AUDIENCE } from "../dev/startLocalService";
import { spawnChild, startBenchFixture, type Answer } from "./fixture";
import { DEPLOYED_THREADPOOL_SIZE, measure, ownCpuMs, processCpuMs, task, type Call, type Task } from "./measure";
import * as targets from "./targets";

const USAGE = `npm run bench -- [--json PATH] [--strict] [--samples N] [--warmup N] [--phases N] [--cold-starts N]
Starts an in-memory Azurite and the service (each in a process of its own), measures, prints Markdown tables
and PASS or MISS per target (docs/performance.md). Exits 0 unless --strict and a target is not met.`;
/** Each count's least value and default; then set-up and phase sizes. */
const COUNTS = { samples: [50, 200], warmup: [1, 20], phases: [1, 6], "cold-starts": [0, 7] } as const;
/** Each wrong-password user takes at most 90 failures (below the per-user limit of 100). Calls per phase: argon2
 * and cold verifies at concurrency 1, repeats (fast) many more; and the concurrency of the parallel phases. */
const FAILURES_PER_USER = 90;
const CALLS = { serial: 40, repeatSerial: 200, parallel: 200, repeatParallel: 400, concurrency: 8 };

/** True when `answer` has `status` (and a JSON body `schema` accepts, if given); else what was wrong. */
const check = (answer: Answer, status: number, schema?: z.ZodType) =>
  (answer.status === status && (!schema || schema.safeParse(JSON.parse(answer.text)).success)) ||
  `answered ${answer.status}: ${answer.text.slice(0, 200)}`;
const verdict = (valid: boolean) => z.object({ valid: z.literal(valid) });
/** A documentation address (RFC 2544 benchmarking range), different per call. */
const addressOf = (call: number) => `198.18.${Math.floor(call / 250) % 250}.${(call % 250) + 1}`;
/** Progress goes to stderr; stdout carries the report only. */
const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function main() {
  // Set before the first task that needs libuv's pool (argon2), and passed to the service: sized as deployed.
  const threadpoolSize = (process.env.UV_THREADPOOL_SIZE ??= DEPLOYED_THREADPOOL_SIZE);
  const [text, flag] = [{ type: "string" }, { type: "boolean" }] as const;
  const { values } = parseArgs({
    options: { json: text, strict: flag, help: flag, samples: text, warmup: text, phases: text, "cold-starts": text },
  });
  const count = (name: keyof typeof COUNTS) => {
    const [min, fallback] = COUNTS[name];
    const value = values[name] === undefined ? fallback : Number(values[name]);
    if (Number.isInteger(value) && value >= min) return value;
    throw new Error(`--${name}: a whole number, at least ${min}\n\n${USAGE}`);
  };
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const [samples, warmup, phases, coldStarts] = (["samples", "warmup", "phases", "cold-starts"] as const).map(count);
  const options = { samples: samples ?? 0, warmup: warmup ?? 0, phases: phases ?? 0, coldStarts: coldStarts ?? 0 };
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  // The service's own argon2 parameters (the defaults, or ARGON2_* from the environment it inherits); the other
  // settings are not read here and just have to be valid.
  const { argon2 } = loadConfig({
    ...{ AUTH_ISSUER: "https://bench", AUTH_AUDIENCE: "bench", AUTH_JWKS_URI: "https://bench/keys" },
    ...{ APP_PASSWORDS_TABLE_CONNECTION_STRING: "bench", APP_PASSWORDS_THROTTLE_KEY: "x".repeat(32) },
    ...process.env,
  });
  const hasher = createArgon2Hasher(argon2);
  const floorPassword = generateAppPassword();
  const floorHash = await hasher.hash(floorPassword);
  const bareVerify: Call = async () => (await hasher.verify(floorHash, floorPassword)) || "argon2 said no";

  progress("starting Azurite and the service, setting up users");
  const fixture = await startBenchFixture();
  try {
    const users = (prefix: string, count: number, passwords = 1) =>
      Promise.all(Array.from({ length: count }, (_, i) => fixture.register(`${prefix}-${i}@bench.example`, passwords)));
    const [[forty], [creator], wrongPool, coldUsers] = await Promise.all([
      users("forty", 1, 40),
      users("creator", 1),
      users("wrong", Math.ceil((options.warmup + options.samples) / FAILURES_PER_USER)),
      users("cold", Math.ceil((options.phases * CALLS.serial) / 40), 40),
    ]);
    if (!forty || !creator) throw new Error("set-up made no users");
    const [repeatPassword = "", verify] = [forty.passwords.at(-1), fixture.verify];
    const repeat: Call = async () =>
      check(await verify(forty.loginName, repeatPassword, "198.51.100.1"), 200, verdict(true));
    if ((await repeat(0)) !== true) throw new Error("the repeat password does not verify");
    const wrong = async (user: string | { loginName: string } | undefined, call: number) => {
      const name = typeof user === "string" ? user : (user ?? creator).loginName;
      return check(await verify(name, generateAppPassword(), addressOf(call)), 200, verdict(false));
    };

    // Create makes the app passwords that the first-time right verify uses once, and delete then removes.
    const fresh = [await fixture.create(creator), await fixture.create(creator)];
    const verified = [(await fixture.create(creator)).id, (await fixture.create(creator)).id];
    // What any list must do (check the token, query the 40 rows, answer JSON), with none of this code.
    const [{ tableName, service }, { connectionString }] = [fixture, fixture.azurite];
    const jwks = [`${service.url}/dev/jwks`, `${service.url}/dev`, DEV_AUDIENCE];
    const listFloor = await spawnChild("list", connectionString, tableName, forty.userId, ...jwks);
    const callListFloor = fixture.clientFor(listFloor.url);
    const coldRight = async () => {
      const next = fresh.shift();
      if (next) verified.push(next.id);
      return check(await verify(creator.loginName, next?.password ?? "", "198.51.100.2"), 200, verdict(true));
    };
    const [list, floorList] = ["/api/users/me/app-passwords", z.object({ count: z.literal(40) })];
    const operations: Record<targets.OperationKey, Task> = {
      argon2: task("argon2id verify, in the bench process (floor)", bareVerify),
      coldRight: task("verify, right password the first time", coldRight),
      wrongPassword: task("verify, wrong password", (round) => wrong(wrongPool[round % wrongPool.length], round)),
      unknownUser: task("verify, unknown user", (round) => wrong(`nobody-${round}@bench.example`, round)),
      repeat: task("verify, repeat of a right password", repeat),
      create: task("create", async () => fresh.push(await fixture.create(creator)) > 0 || "no create"),
      list: task("list, 40 stored", async () => check(await fixture.call("GET", list, forty), 200)),
      listFloor: task("list floor: the same token check and query, none of this code", async () =>
        check(await callListFloor("GET", "/", forty), 200, floorList),
      ),
      delete: task("delete one", async () =>
        check(await fixture.call("DELETE", `${list}/${verified.shift() ?? "none-left"}`, creator), 204),
      ),
    };
    progress(`latency: 9 operations round-robin, ${options.warmup} + ${options.samples} rounds`);
    const rounds = { phases: options.samples, warmup: options.warmup };
    const results = await measure(operations, rounds).finally(() => listFloor.stop());

    const coldPasswords = coldUsers.flatMap((user) => user.passwords.map((password) => ({ user, password })));
    const coldVerify: Call = async (call) => {
      const { user, password } = coldPasswords[call] ?? { user: creator, password: "" };
      return check(await verify(user.loginName, password, "198.51.100.3"), 200, verdict(true));
    };
    const [argon2Label, repeatLabel] = ["argon2id verify, in the bench process", operations.repeat.label];
    const phaseTasks: Record<targets.PhaseKey, Task> = {
      argon2Serial: task(argon2Label, bareVerify, 1, CALLS.serial),
      coldSerial: task(operations.coldRight.label, coldVerify, 1, CALLS.serial),
      repeatSerial: task(repeatLabel, repeat, 1, CALLS.repeatSerial),
      argon2Parallel: task(argon2Label, bareVerify, CALLS.concurrency, CALLS.parallel),
      repeatParallel: task(repeatLabel, repeat, CALLS.concurrency, CALLS.repeatParallel),
    };
    progress(`throughput and CPU: ${options.phases} rounds of 5 phases`);
    const [servicePid, azuritePid] = [fixture.service.pid, fixture.azurite.process.pid ?? -1];
    const clocks = { service: () => processCpuMs(servicePid), azurite: () => processCpuMs(azuritePid) };
    const measured = await measure(phaseTasks, { phases: options.phases, clocks: { ...clocks, bench: ownCpuMs } });

    /** Spawn of a fresh process to its first answer to a verify (`body`, checked with `schema`), and its own view. */
    const firstAnswer = async (mode: string, args: string[], body: object, schema?: z.ZodType) => {
      const child = await spawnChild(mode, ...args);
      try {
        const request = { key: true, body: { clientIp: "198.51.100.1", ...body } };
        const answer = await fixture.clientFor(child.url)("POST", "/api/verify", request);
        const [firstResponseMs, outcome] = [performance.now() - child.spawnedAt, check(answer, 200, schema)];
        if (outcome !== true) throw new Error(`a fresh process's first answer: ${outcome}\n${child.stderr()}`);
        return { ...(await child.report), listeningMs: child.listeningMs, firstResponseMs };
      } finally {
        await child.stop();
      }
    };
    // Each run of the service is followed by one of each floor, so slow spells of the machine fall on all alike.
    const coldStart: Record<keyof targets.ColdStart, targets.ColdStartRun[]> = { service: [], stack: [], node: [] };
    const login = { user: forty.loginName, password: repeatPassword };
    const floorAnswer = z.object({ valid: z.literal(true), rows: z.literal(0) });
    if (options.coldStarts > 0) progress(`cold start: ${options.coldStarts} fresh services, each with the two floors`);
    for (let run = 0; run < options.coldStarts; run++) {
      coldStart.service.push(await firstAnswer("service", [connectionString, tableName], login, verdict(true)));
      coldStart.node.push(await firstAnswer("node", [], {}));
      const floorLogin = { user: "floor", password: floorPassword };
      coldStart.stack.push(
        await firstAnswer("stack", [connectionString, tableName, floorHash], floorLogin, floorAnswer),
      );
    }

    const cold = options.coldStarts > 0 && { coldStart };
    const run: targets.MeasuredRun = { operations: results, phases: measured, ...cold };
    const evaluated = targets.evaluateTargets(run);
    const [cpuModel, loadAtEnd] = [cpus()[0]?.model.trim() ?? "unknown", loadavg()[0] ?? Number.NaN];
    const machine =
      `Machine: ${availableParallelism()} CPUs (${cpuModel}), node ${process.version}, ${process.platform} ${process.arch}; ` +
      `UV_THREADPOOL_SIZE=${threadpoolSize}; load average ${loadAtStart.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end.\n` +
      `argon2id m=${argon2.memoryKib} KiB, t=${argon2.timeCost}, p=${argon2.parallelism}. Latency: ${options.samples} rounds after ${options.warmup} warm-up, ` +
      `round-robin; CPU and throughput: ${options.phases} rounds of phases.`;
    console.log(targets.formatReport(machine, run, evaluated));
    if (fixture.service.stderr() !== "") progress(`the service logged:\n${fixture.service.stderr().slice(0, 2000)}`);
    for (const { label, failures, firstFailure } of Object.values(results)) {
      if (failures > 0) progress(`${label}: ${failures} unexpected answers, the first: ${firstFailure ?? ""}`);
    }
    if (values.json !== undefined) {
      mkdirSync(path.dirname(path.resolve(values.json)), { recursive: true });
      const environment = { machine, date: new Date(), argon2, uvThreadpoolSize: threadpoolSize, options };
      writeFileSync(values.json, `${JSON.stringify({ environment, ...run, targets: evaluated }, null, 2)}\n`);
      progress(`wrote ${values.json}`);
    }
    return values.strict === true && evaluated.some((target) => target.verdict !== "PASS") ? 1 : 0;
  } finally {
    await fixture.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

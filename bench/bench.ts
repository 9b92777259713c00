import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadConfig } from "../shared/adapters/config";
import { createArgon2Hasher } from "../shared/adapters/argon2Hasher";
import { generateAppPassword } from "../shared/domain/appPasswordSecret";
import { DEV_AUDIENCE } from "../dev/startLocalService";
import { startBenchFixture, type Answer, type BenchUser } from "./benchFixture";
import { ownCpuMs, processCpuMs } from "./cpuClocks";
import { DEPLOYED_THREADPOOL_SIZE } from "./deployedThreadpoolSize";
import { evaluateTargets, OPERATION_KEYS, type MeasuredRun, type OperationKey, type PhaseKey } from "./evaluateTargets";
import { formatReport, type RunEnvironment } from "./formatReport";
import { measureColdStart } from "./measureColdStart";
import { measurePhases, type PhaseTask } from "./measurePhases";
import { measureRounds, type Operation, type Sample } from "./measureRounds";
import { spawnListening } from "./spawnService";

const USAGE = `npm run bench -- [--json PATH] [--strict] [--samples N] [--warmup N] [--phases N] [--cold-starts N]

Starts an in-memory Azurite and the service (each in a process of its own), measures, prints Markdown tables
and PASS, MISS or OUT OF REACH (missed, and so was a floor no code goes below) per target. Exits 0 unless
--strict and a target is not met.`;

const count = (min: number) => z.coerce.number().int().min(min);
const settings = z.object({
  json: z.string().min(1).optional(),
  strict: z.boolean().default(false),
  help: z.boolean().default(false),
  samples: count(50).default(200),
  warmup: count(1).default(20),
  phases: count(1).default(6),
  "cold-starts": count(0).default(7),
});

/** Each wrong-password user takes at most this many failures: below the per-user limit of 100. */
const FAILURES_PER_USER = 90;
/** Calls per phase: argon2 and cold verifies at concurrency 1, repeats (fast) many more. */
const CALLS = { serial: 40, repeatSerial: 200, parallel: 200, repeatParallel: 400 };
const CONCURRENCY = 8;

const verdict = z.object({ valid: z.boolean() });
const isVerdict = (answer: Answer, valid: boolean) =>
  answer.status === 200 && verdict.safeParse(JSON.parse(answer.text)).data?.valid === valid;
const isListOfForty = (answer: Answer) =>
  answer.status === 200 && z.object({ count: z.literal(40) }).safeParse(JSON.parse(answer.text)).success;
/** A documentation address (RFC 2544 benchmarking range), different per call. */
const addressOf = (call: number) => `198.18.${Math.floor(call / 250) % 250}.${(call % 250) + 1}`;

/** Progress goes to stderr; stdout carries the report only. */
const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function timed(call: () => Promise<Answer>, ok: (answer: Answer) => boolean): Promise<Sample> {
  const start = performance.now();
  const answer = await call();
  const ms = performance.now() - start;
  return ok(answer)
    ? { ok: true, ms }
    : { ok: false, problem: `answered ${answer.status}: ${answer.text.slice(0, 200)}` };
}

async function main() {
  // Set before the first task that needs libuv's pool (argon2), and passed to the service: sized as deployed.
  const threadpoolSize = (process.env.UV_THREADPOOL_SIZE ??= DEPLOYED_THREADPOOL_SIZE);
  const { values } = parseArgs({
    options: {
      json: { type: "string" },
      strict: { type: "boolean" },
      help: { type: "boolean" },
      samples: { type: "string" },
      warmup: { type: "string" },
      phases: { type: "string" },
      "cold-starts": { type: "string" },
    },
  });
  const parsed = settings.safeParse(values);
  if (!parsed.success) {
    console.error(
      `${parsed.error.issues.map((issue) => `--${issue.path.join(".")}: ${issue.message}`).join("\n")}\n\n${USAGE}`,
    );
    return 2;
  }
  const options = parsed.data;
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  // The service's own argon2 parameters (the defaults, or ARGON2_* from the environment it inherits).
  const { argon2 } = loadConfig({
    AUTH_ISSUER: "https://bench",
    AUTH_AUDIENCE: "bench",
    AUTH_JWKS_URI: "https://bench/keys",
    APP_PASSWORDS_TABLE_CONNECTION_STRING: "bench",
    // Only the argon2 settings are read here; the rest just has to be valid.
    APP_PASSWORDS_THROTTLE_KEY: "the bench reads argon2 settings only, no key",
    ...process.env,
  });
  const hasher = createArgon2Hasher(argon2);
  const floorPassword = generateAppPassword();
  const floorHash = await hasher.hash(floorPassword);
  const bareVerify = () => hasher.verify(floorHash, floorPassword);

  progress("starting Azurite and the service, setting up users");
  const fixture = await startBenchFixture();
  try {
    const rounds = options.warmup + options.samples;
    const [forty, creator, ...wrongPool] = await Promise.all([
      fixture.register("forty@bench.example", 40),
      fixture.register("creator@bench.example"),
      ...Array.from({ length: Math.ceil(rounds / FAILURES_PER_USER) }, (_, i) =>
        fixture.register(`wrong-${i}@bench.example`),
      ),
    ]);
    const coldUsers: BenchUser[] = await Promise.all(
      Array.from({ length: Math.ceil((options.phases * CALLS.serial) / 40) }, (_, i) =>
        fixture.register(`cold-${i}@bench.example`, 40),
      ),
    );
    const repeatPassword = forty.passwords.at(-1);
    if (repeatPassword === undefined) throw new Error("setup made no app passwords");
    const repeat = () => fixture.verify(forty.loginName, repeatPassword, "198.51.100.1");
    if (!isVerdict(await repeat(), true)) throw new Error("the repeat password does not verify");

    // Create makes the app passwords that the first-time right verify uses once, and delete then removes.
    const fresh = [await fixture.create(creator), await fixture.create(creator)];
    const verified = [(await fixture.create(creator)).id, (await fixture.create(creator)).id];
    // What any list must do (check the token, query the 40 rows, answer JSON), with none of this code.
    const { service } = fixture;
    const listFloor = await spawnListening("floorProcess.js", (port) => [
      ...["list", String(port), fixture.azurite.connectionString, fixture.tableName, forty.userId],
      ...[`${service.url}/dev/jwks`, `${service.url}/dev`, DEV_AUDIENCE],
    ]);
    const callListFloor = fixture.clientFor(listFloor.url);
    const operations: Record<OperationKey, Omit<Operation<OperationKey>, "key">> = {
      argon2: {
        label: "argon2id verify, in the bench process (floor)",
        run: async () => {
          const start = performance.now();
          const valid = await bareVerify();
          return valid ? { ok: true, ms: performance.now() - start } : { ok: false, problem: "argon2 said no" };
        },
      },
      coldRight: {
        label: "verify, right password the first time",
        run: async () => {
          const next = fresh.shift();
          if (!next) return { ok: false, problem: "no fresh app password left" };
          verified.push(next.id);
          return timed(
            () => fixture.verify(creator.loginName, next.password, "198.51.100.2"),
            (a) => isVerdict(a, true),
          );
        },
      },
      wrongPassword: {
        label: "verify, wrong password",
        run: (round) => {
          const user = wrongPool[round % wrongPool.length] ?? creator;
          return timed(
            () => fixture.verify(user.loginName, generateAppPassword(), addressOf(round)),
            (a) => isVerdict(a, false),
          );
        },
      },
      unknownUser: {
        label: "verify, unknown user",
        run: (round) =>
          timed(
            () => fixture.verify(`nobody-${round}@bench.example`, generateAppPassword(), addressOf(round)),
            (a) => isVerdict(a, false),
          ),
      },
      repeat: { label: "verify, repeat of a right password", run: () => timed(repeat, (a) => isVerdict(a, true)) },
      create: {
        label: "create",
        run: async () => {
          const start = performance.now();
          fresh.push(await fixture.create(creator));
          return { ok: true, ms: performance.now() - start };
        },
      },
      list: {
        label: "list, 40 stored",
        run: () =>
          timed(
            () => fixture.call("GET", "/api/users/me/app-passwords", { token: forty.token }),
            (a) => a.status === 200,
          ),
      },
      listFloor: {
        label: "list floor: the same token check and query, none of this code",
        run: () => timed(() => callListFloor("GET", "/", { token: forty.token }), isListOfForty),
      },
      delete: {
        label: "delete one",
        run: async () => {
          const id = verified.shift();
          if (id === undefined) return { ok: false, problem: "nothing left to delete" };
          return timed(
            () => fixture.call("DELETE", `/api/users/me/app-passwords/${id}`, { token: creator.token }),
            (a) => a.status === 204,
          );
        },
      },
    };
    progress(`latency: ${OPERATION_KEYS.length} operations round-robin, ${options.warmup} + ${options.samples} rounds`);
    let results;
    try {
      results = await measureRounds(
        OPERATION_KEYS.map((key) => ({ key, ...operations[key] })),
        options,
      );
    } finally {
      await listFloor.stop();
    }

    const coldPasswords = coldUsers.flatMap((user) => user.passwords.map((password) => ({ user, password })));
    const repeatTask = (concurrency: number, calls: number): PhaseTask => ({
      label: "verify, repeat of a right password",
      concurrency,
      callsPerPhase: calls,
      run: async () => isVerdict(await repeat(), true),
    });
    const argon2Task = (concurrency: number, calls: number): PhaseTask => ({
      label: "argon2id verify, in the bench process",
      concurrency,
      callsPerPhase: calls,
      run: bareVerify,
    });
    const phaseTasks: Record<PhaseKey, PhaseTask> = {
      argon2Serial: argon2Task(1, CALLS.serial),
      coldSerial: {
        label: "verify, right password the first time",
        concurrency: 1,
        callsPerPhase: CALLS.serial,
        run: async (call) => {
          const next = coldPasswords[call];
          return (
            next !== undefined &&
            isVerdict(await fixture.verify(next.user.loginName, next.password, "198.51.100.3"), true)
          );
        },
      },
      repeatSerial: repeatTask(1, CALLS.repeatSerial),
      argon2Parallel: argon2Task(CONCURRENCY, CALLS.parallel),
      repeatParallel: repeatTask(CONCURRENCY, CALLS.repeatParallel),
    };
    progress(`throughput and CPU: ${options.phases} rounds of ${Object.keys(phaseTasks).length} phases`);
    const azuritePid = fixture.azurite.process.pid ?? -1;
    const phases = await measurePhases(phaseTasks, options.phases, {
      service: () => processCpuMs(fixture.service.pid),
      azurite: () => processCpuMs(azuritePid),
      bench: ownCpuMs,
    });

    let coldStart;
    if (options["cold-starts"] > 0) {
      progress(`cold start: ${options["cold-starts"]} fresh service processes, each with the two floors`);
      const { connectionString } = fixture.azurite;
      coldStart = await measureColdStart(
        options["cold-starts"],
        { connectionString, tableName: fixture.tableName, hash: floorHash, password: floorPassword },
        async (url) => {
          const answer = await fetch(`${url}/api/verify`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-functions-key": "dev-function-key" },
            body: JSON.stringify({ user: forty.loginName, password: repeatPassword, clientIp: "198.51.100.1" }),
          });
          return isVerdict({ status: answer.status, text: await answer.text() }, true);
        },
      );
    }

    const run: MeasuredRun = { operations: results, phases, ...(coldStart && { coldStart }) };
    const targets = evaluateTargets(run);
    const environment: RunEnvironment = {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model.trim() ?? "unknown",
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      uvThreadpoolSize: threadpoolSize,
      argon2,
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
      samples: options.samples,
      warmupRounds: options.warmup,
      phases: options.phases,
      date: new Date().toISOString(),
    };
    console.log(formatReport(environment, run, targets));
    if (fixture.service.stderr() !== "") progress(`the service logged:\n${fixture.service.stderr().slice(0, 2000)}`);
    for (const result of results.filter((operation) => operation.failures > 0)) {
      progress(`${result.label}: ${result.failures} unexpected answers, the first: ${result.firstFailure ?? ""}`);
    }
    if (options.json !== undefined) {
      mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
      writeFileSync(options.json, `${JSON.stringify({ environment, ...run, targets }, null, 2)}\n`);
      progress(`wrote ${options.json}`);
    }
    return options.strict && targets.some((target) => target.verdict !== "PASS") ? 1 : 0;
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

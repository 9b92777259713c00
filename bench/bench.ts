import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { generateAppPassword } from "../shared/domain/appPasswordSecret";
import { createArgon2Hasher } from "../shared/adapters/argon2Hasher";
import { ownCpuMs, processCpuMs } from "./cpuClocks";
import { createOperations } from "./createOperations";
import { DEPLOYED_THREADPOOL_SIZE } from "./deployedThreadpoolSize";
import { evaluateTargets, type MeasuredRun } from "./evaluateTargets";
import { formatReport, type RunEnvironment } from "./formatReport";
import { measureColdStart } from "./measureColdStart";
import { measureRounds } from "./measureRounds";
import { measureThroughput } from "./measureThroughput";
import { startBenchFixture } from "./startBenchFixture";
import { countStorageRequests } from "./storageRequestCounter";

const USAGE = `npm run bench -- [--json PATH] [--strict] [--samples N] [--warmup N] [--cold-starts N]
  [--concurrency N] [--throughput-phases N] [--throughput-calls N]

Starts an in-memory Azurite and the service (local host), measures, prints Markdown tables and PASS/MISS
per target. Exits 0 unless --strict and a target is missed.`;

const count = (min: number) => z.coerce.number().int().min(min);
const settings = z.object({
  json: z.string().min(1).optional(),
  strict: z.boolean().default(false),
  help: z.boolean().default(false),
  samples: count(50).default(200),
  warmup: count(1).default(20),
  "cold-starts": count(0).default(7),
  concurrency: count(1).default(8),
  "throughput-phases": count(1).default(10),
  "throughput-calls": count(8).default(64),
});

const verified = z.object({ valid: z.literal(true) });

/** Progress goes to stderr; stdout carries the report only. */
const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function main() {
  // The pool starts with the first task that needs it, which is later than this: sized as deployed, unless
  // the caller set a size.
  const threadpoolSize = (process.env.UV_THREADPOOL_SIZE ??= DEPLOYED_THREADPOOL_SIZE);
  const { values } = parseArgs({
    options: {
      json: { type: "string" },
      strict: { type: "boolean" },
      samples: { type: "string" },
      warmup: { type: "string" },
      "cold-starts": { type: "string" },
      concurrency: { type: "string" },
      "throughput-phases": { type: "string" },
      "throughput-calls": { type: "string" },
      help: { type: "boolean" },
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
  progress("starting Azurite and the service, setting up users");
  // Wrong passwords go to many users in turn, so a per-user failure throttle does not turn them into 429s.
  const fixture = await startBenchFixture({ wrongPoolSize: Math.ceil((options.warmup + options.samples) / 4) });
  const counter = countStorageRequests(fixture.azurite.port);
  try {
    const { argon2 } = fixture.service.config;
    const floorHasher = createArgon2Hasher(argon2);
    const operations = await createOperations(fixture, floorHasher);

    progress(`measuring ${operations.length} operations round-robin: ${options.warmup} + ${options.samples} rounds`);
    const results = await measureRounds(operations, counter, options);

    progress(`measuring verify throughput at concurrency ${options.concurrency}`);
    const { fortyUser } = fixture;
    const azuritePid = fixture.azurite.process.pid ?? -1;
    const floorPassword = generateAppPassword();
    const floorHash = await floorHasher.hash(floorPassword);
    const bareVerify = () => floorHasher.verify(floorHash, floorPassword);
    const throughput = await measureThroughput(
      {
        service: {
          run: async () => {
            const answer = await fixture.verify(fortyUser.loginName, fortyUser.password);
            return answer.status === 200 && verified.safeParse(JSON.parse(answer.text)).success;
          },
          concurrency: options.concurrency,
        },
        bare: { run: bareVerify, concurrency: options.concurrency },
        // How far argon2 scales on this machine from one caller to many: the CPU it really has.
        bareSerial: { run: bareVerify, concurrency: 1 },
      },
      {
        callsPerPhase: options["throughput-calls"],
        phases: options["throughput-phases"],
        cpuClocks: { service: ownCpuMs, azurite: () => processCpuMs(azuritePid) },
      },
    );

    let coldStart;
    if (options["cold-starts"] > 0) {
      progress(`measuring cold start: ${options["cold-starts"]} fresh node processes`);
      coldStart = await measureColdStart({
        runs: options["cold-starts"],
        connectionString: fixture.azurite.connectionString,
        tableName: fixture.tableName,
        functionKey: fixture.service.functionKey,
        user: fortyUser.loginName,
        password: fortyUser.password,
      });
    }

    const run: MeasuredRun = { operations: results, throughput, ...(coldStart && { coldStart }) };
    const targets = evaluateTargets(run);
    const environment: RunEnvironment = {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model.trim() ?? "unknown",
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      uvThreadpoolSize: threadpoolSize,
      argon2,
      samples: options.samples,
      warmupRounds: options.warmup,
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
      date: new Date().toISOString(),
    };
    console.log(formatReport(environment, run, targets));
    if (fixture.problems.length > 0) {
      progress(
        `the service logged ${fixture.problems.length} warnings or errors; the first: ${fixture.problems[0] ?? ""}`,
      );
    }
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
    counter.close();
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

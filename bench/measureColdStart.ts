import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { z } from "zod";
import { freePort } from "../dev/azurite";
import type { ColdStartReport } from "./coldStartService";
import { median } from "./stats";

export interface ColdStartResult {
  readonly runs: number;
  /** Spawn to the first answered request (a verify, the gateways' call), per run. */
  readonly firstResponseMs: readonly number[];
  readonly medianFirstResponseMs: number;
  /** Spawn to listening, as the bench saw it. */
  readonly medianListeningMs: number;
  /** The first verify alone: listening to its answer (table check, decoy hash, argon2). */
  readonly medianFirstVerifyMs: number;
  /** The child's own view: node start-up, module load, start-up work. */
  readonly medianBootstrapMs: number;
  readonly medianModuleLoadMs: number;
  readonly medianInitMs: number;
}

const report = z.object({ bootstrapMs: z.number(), moduleLoadMs: z.number(), initMs: z.number() });
const verified = z.object({ valid: z.literal(true) });

const START_TIMEOUT_MS = 20_000;

export interface ColdStartOptions {
  readonly runs: number;
  readonly connectionString: string;
  readonly tableName: string;
  readonly functionKey: string;
  /** The verify the first request sends: a real user and their right password. */
  readonly user: string;
  readonly password: string;
}

/** Starts the service in a fresh `node` process `runs` times, one after another, and times its first answer. */
export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const runs: (ColdStartReport & { listeningMs: number; firstResponseMs: number })[] = [];
  for (let run = 0; run < options.runs; run++) runs.push(await coldStartOnce(options));
  const medianOf = (pick: (run: (typeof runs)[number]) => number) => median(runs.map(pick));
  return {
    runs: runs.length,
    firstResponseMs: runs.map((run) => run.firstResponseMs),
    medianFirstResponseMs: medianOf((run) => run.firstResponseMs),
    medianListeningMs: medianOf((run) => run.listeningMs),
    medianFirstVerifyMs: medianOf((run) => run.firstResponseMs - run.listeningMs),
    medianBootstrapMs: medianOf((run) => run.bootstrapMs),
    medianModuleLoadMs: medianOf((run) => run.moduleLoadMs),
    medianInitMs: medianOf((run) => run.initMs),
  };
}

async function coldStartOnce(options: ColdStartOptions) {
  const port = await freePort();
  const script = path.join(__dirname, "coldStartService.js");
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [script, String(port), options.connectionString, options.tableName], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = once(child, "exit");
  try {
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(() => reject(new Error("the service did not start in time")), START_TIMEOUT_MS);
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        // Complete lines only: the last piece may still be arriving.
        const ready = stdout
          .split("\n")
          .slice(0, -1)
          .find((text) => text.startsWith("{"));
        if (ready !== undefined) {
          clearTimeout(timer);
          resolve(ready);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the service exited (code ${code}) before serving:\n${stderr}`));
      });
    });
    const listeningMs = performance.now() - spawnedAt;
    const response = await fetch(`http://127.0.0.1:${port}/api/verify`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-functions-key": options.functionKey },
      body: JSON.stringify({ user: options.user, password: options.password }),
    });
    const text = await response.text();
    const firstResponseMs = performance.now() - spawnedAt;
    if (response.status !== 200 || !verified.safeParse(JSON.parse(text)).success) {
      throw new Error(`the first verify answered ${response.status}: ${text.slice(0, 200)}`);
    }
    return { ...report.parse(JSON.parse(line)), listeningMs, firstResponseMs };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  }
}

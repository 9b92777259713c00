import { spawn, type ChildProcess, type ChildProcessByStdio } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import path from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { freePort } from "../dev/azurite";
import type { ColdStartReport } from "./coldStartService";
import { median } from "./stats";

export interface ColdStartResult {
  readonly runs: number;
  /** Spawn to the first answered request (a verify, the gateways' call), per run. */
  readonly firstResponseMs: readonly number[];
  readonly medianFirstResponseMs: number;
  /** Spawn to accepting connections, as the bench saw it (polled every 2 ms). */
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
/** How often the bench tries to connect while the child starts: the resolution of "listening". */
const POLL_MS = 2;

/**
 * Resolves once something accepts connections on `port`: the moment the child can serve, whatever it
 * still does in the background. Bounded by START_TIMEOUT_MS and by the child exiting.
 */
async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("the service exited while starting");
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: "127.0.0.1" });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (connected) return;
    await sleep(POLL_MS);
  }
  throw new Error("the service did not listen in time");
}

/** The child's JSON report line, printed once `startLocalService` has returned. */
function readReport(child: ChildProcessByStdio<null, Readable, Readable>, stderr: () => string) {
  return new Promise<ColdStartReport>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error("the service did not report in time")), START_TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      // Complete lines only: the last piece may still be arriving.
      const line = stdout
        .split("\n")
        .slice(0, -1)
        .find((text) => text.startsWith("{"));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(report.parse(JSON.parse(line)));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited (code ${code}) before reporting:\n${stderr()}`));
    });
  });
}

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
    const reported = readReport(child, () => stderr);
    reported.catch(() => undefined); // awaited below; a failure to start also shows in waitForPort
    try {
      await waitForPort(port, child);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : "no start"}:\n${stderr}`);
    }
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
    return { ...(await reported), listeningMs, firstResponseMs };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  }
}

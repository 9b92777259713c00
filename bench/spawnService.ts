import { spawn, type ChildProcessByStdio } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import path from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { freePort } from "../dev/azurite";
import type { ServiceReport } from "./runChild";

const START_TIMEOUT_MS = 30_000;
/** How often the bench tries to connect while the child starts: the resolution of "listening". */
const POLL_MS = 2;

const report = z.object({ bootstrapMs: z.number(), moduleLoadMs: z.number(), initMs: z.number() });

export interface SpawnedService {
  readonly pid: number;
  readonly url: string;
  /** Spawn to accepting connections, as the bench saw it. */
  readonly listeningMs: number;
  /** performance.now() of the spawn. */
  readonly spawnedAt: number;
  /** The child's own start-up timings, printed once `startLocalService` returned. */
  readonly report: Promise<ServiceReport>;
  /** What the child wrote to stderr: warnings and errors it logged. */
  stderr(): string;
  stop(): Promise<void>;
}

/** True once something accepts connections on `port`. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

function readReport(child: ChildProcessByStdio<null, Readable, Readable>): Promise<ServiceReport> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n").find((text, index, lines) => index < lines.length - 1 && text.startsWith("{"));
      if (line !== undefined) resolve(report.parse(JSON.parse(line)));
    });
    child.once("exit", (code) => reject(new Error(`the service exited (code ${code}) before reporting`)));
  });
}

/**
 * Starts `bench/serviceProcess` (the service as `npm start` runs it) in a fresh `node` process on a free port,
 * with the bench's environment, and resolves as soon as it accepts connections.
 */
export function spawnService(connectionString: string, tableName: string): Promise<SpawnedService> {
  return spawnListening("serviceProcess.js", (port) => [String(port), connectionString, tableName]);
}

/**
 * Starts `bench/<script>` in a fresh `node` process with the arguments `args` gives for a free port, and
 * resolves as soon as it accepts connections there. The script prints a `ServiceReport` line once it listens.
 */
export async function spawnListening(script: string, args: (port: number) => string[]): Promise<SpawnedService> {
  const port = await freePort();
  const spawnedAt = performance.now();
  // To see where a missed target's time goes: BENCH_SERVICE_CPU_PROF=<dir> writes the service's CPU profile there.
  const profileDir = process.env.BENCH_SERVICE_CPU_PROF;
  const profile = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
  const child = spawn(process.execPath, [...profile, path.join(__dirname, script), ...args(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = once(child, "exit");
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const reported = readReport(child);
  reported.catch(() => undefined); // awaited by the caller; a failed start shows below
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  while (!(await accepts(port))) {
    if (child.exitCode !== null || performance.now() - spawnedAt > START_TIMEOUT_MS) {
      await stop();
      throw new Error(`the service did not start:\n${stderr}`);
    }
    await sleep(POLL_MS);
  }
  return {
    pid: child.pid ?? -1,
    url: `http://127.0.0.1:${port}`,
    listeningMs: performance.now() - spawnedAt,
    spawnedAt,
    report: reported,
    stderr: () => stderr,
    stop,
  };
}

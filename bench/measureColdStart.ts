import type { ServiceReport } from "./runChild";
import { spawnListening, spawnService, type SpawnedService } from "./spawnService";
import { median } from "./stats";

/** One kind of fresh process, over all its runs. */
export interface ColdStartKind {
  /** Spawn to the first answered verify, per run. */
  readonly firstResponseMs: readonly number[];
  readonly medianFirstResponseMs: number;
  /** Spawn to accepting connections, as the bench saw it (polled every 2 ms). */
  readonly medianListeningMs: number;
  /** The child's own view: node start-up, loading what it needs, start-up work until it listens. */
  readonly medianBootstrapMs: number;
  readonly medianModuleLoadMs: number;
  readonly medianInitMs: number;
}

export interface ColdStartResult extends ColdStartKind {
  readonly runs: number;
  /**
   * The floors, started beside each run of the service in the same way: `node` alone answering HTTP, and the
   * stack (node, the libraries the first verify needs, one table read and one argon2, none of this code).
   */
  readonly floors: { readonly node: ColdStartKind; readonly stack: ColdStartKind };
}

export interface ColdStartOptions {
  readonly connectionString: string;
  readonly tableName: string;
  /** An argon2 hash (the service's parameters) of `password`, for the stack floor to check. */
  readonly hash: string;
  readonly password: string;
}

type Run = ServiceReport & { listeningMs: number; firstResponseMs: number };

async function timeFirstAnswer(process: Promise<SpawnedService>, ask: (url: string) => Promise<boolean>): Promise<Run> {
  const child = await process;
  try {
    const ok = await ask(child.url);
    const firstResponseMs = performance.now() - child.spawnedAt;
    if (!ok) throw new Error(`the first request to a fresh process failed:\n${child.stderr()}`);
    return { ...(await child.report), listeningMs: child.listeningMs, firstResponseMs };
  } finally {
    await child.stop();
  }
}

function summarizeRuns(runs: readonly Run[]): ColdStartKind {
  const medianOf = (pick: (run: Run) => number) => median(runs.map(pick));
  return {
    firstResponseMs: runs.map((run) => run.firstResponseMs),
    medianFirstResponseMs: medianOf((run) => run.firstResponseMs),
    medianListeningMs: medianOf((run) => run.listeningMs),
    medianBootstrapMs: medianOf((run) => run.bootstrapMs),
    medianModuleLoadMs: medianOf((run) => run.moduleLoadMs),
    medianInitMs: medianOf((run) => run.initMs),
  };
}

/**
 * Starts the service in a fresh `node` process `runs` times, one after another, against the running Azurite,
 * and times spawn to the answer of its first verify (`verify` sends it, to the given URL, and says whether the
 * answer was the expected one). Each run is followed by one of each floor (bench/floorProcess), so slow
 * spells of the machine fall on all three alike.
 */
export async function measureColdStart(
  runs: number,
  options: ColdStartOptions,
  verify: (url: string) => Promise<boolean>,
): Promise<ColdStartResult> {
  const service: Run[] = [];
  const node: Run[] = [];
  const stack: Run[] = [];
  const post = async (url: string, body: unknown) => {
    const answer = await fetch(`${url}/api/verify`, { method: "POST", body: JSON.stringify(body) });
    return { status: answer.status, text: await answer.text() };
  };
  for (let run = 0; run < runs; run++) {
    service.push(await timeFirstAnswer(spawnService(options.connectionString, options.tableName), verify));
    node.push(
      await timeFirstAnswer(
        spawnListening("floorProcess.js", (port) => ["node", String(port)]),
        async (url) => (await post(url, {})).status === 200,
      ),
    );
    stack.push(
      await timeFirstAnswer(
        spawnListening("floorProcess.js", (port) => [
          "stack",
          String(port),
          options.connectionString,
          options.tableName,
          options.hash,
        ]),
        async (url) => {
          const answer = await post(url, { user: "floor", password: options.password, clientIp: "198.51.100.1" });
          return answer.status === 200 && answer.text === '{"valid":true,"rows":0}';
        },
      ),
    );
  }
  return { runs, ...summarizeRuns(service), floors: { node: summarizeRuns(node), stack: summarizeRuns(stack) } };
}

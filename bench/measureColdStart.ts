import type { ServiceReport } from "./serviceProcess";
import { spawnService } from "./spawnService";
import { median } from "./stats";

export interface ColdStartResult {
  readonly runs: number;
  /** Spawn to the first answered verify (the gateways' call), per run. */
  readonly firstResponseMs: readonly number[];
  readonly medianFirstResponseMs: number;
  /** Spawn to accepting connections, as the bench saw it (polled every 2 ms). */
  readonly medianListeningMs: number;
  /** The child's own view: node start-up, module load, start-up work. */
  readonly medianBootstrapMs: number;
  readonly medianModuleLoadMs: number;
  readonly medianInitMs: number;
}

/**
 * Starts the service in a fresh `node` process `runs` times, one after another, against the running Azurite,
 * and times spawn to the answer of its first verify (`verify` sends it, to the given URL, and says whether the
 * answer was the expected one).
 */
export async function measureColdStart(
  runs: number,
  start: { connectionString: string; tableName: string },
  verify: (url: string) => Promise<boolean>,
): Promise<ColdStartResult> {
  const measured: (ServiceReport & { listeningMs: number; firstResponseMs: number })[] = [];
  for (let run = 0; run < runs; run++) {
    const service = await spawnService(start.connectionString, start.tableName);
    try {
      const ok = await verify(service.url);
      const firstResponseMs = performance.now() - service.spawnedAt;
      if (!ok) throw new Error(`the first verify of a fresh service failed:\n${service.stderr()}`);
      measured.push({ ...(await service.report), listeningMs: service.listeningMs, firstResponseMs });
    } finally {
      await service.stop();
    }
  }
  const medianOf = (pick: (run: (typeof measured)[number]) => number) => median(measured.map(pick));
  return {
    runs,
    firstResponseMs: measured.map((run) => run.firstResponseMs),
    medianFirstResponseMs: medianOf((run) => run.firstResponseMs),
    medianListeningMs: medianOf((run) => run.listeningMs),
    medianBootstrapMs: medianOf((run) => run.bootstrapMs),
    medianModuleLoadMs: medianOf((run) => run.moduleLoadMs),
    medianInitMs: medianOf((run) => run.initMs),
  };
}

/** What a child the bench starts prints once it serves: its own start-up timings, in milliseconds. */
export interface ServiceReport {
  /** Process start to the first line of the child's script: node's own start-up. */
  readonly bootstrapMs: number;
  /** Loading what it needs (for the service: dev/startLocalService with shared/, the Azure SDK, zod). */
  readonly moduleLoadMs: number;
  /** Start-up work until it listens (for the service: the config, the function modules, listening). */
  readonly initMs: number;
}

/**
 * Runs the `main` of a child the bench starts: prints the one JSON line of its report once `main` resolves
 * (`bootstrapMs` taken by the script's first line), and exits normally when the bench stops it, so a CPU
 * profile (BENCH_SERVICE_CPU_PROF) gets written; a failure goes to stderr with exit code 1.
 */
export function runChild(bootstrapMs: number, main: () => Promise<Omit<ServiceReport, "bootstrapMs">>): void {
  main()
    .then((timings) => {
      const report: ServiceReport = { bootstrapMs, ...timings };
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.once("SIGTERM", () => process.exit(0));
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

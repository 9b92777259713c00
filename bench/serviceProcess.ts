import path from "node:path";

// Time since this process started (node's time origin) when the first line of this script runs.
const bootstrapMs = performance.now();

/** What the child prints once it serves: its own start-up timings, in milliseconds. */
export interface ServiceReport {
  /** Process start to the first line of this script: node's own start-up. */
  readonly bootstrapMs: number;
  /** Loading dev/startLocalService and what it imports: shared/, the Azure SDK, jose, zod. */
  readonly moduleLoadMs: number;
  /** `startLocalService`: the config, the function modules, listening. */
  readonly initMs: number;
}

/**
 * The service in a process of its own, as `npm start` runs it (the local host over `dist/functions`, with the
 * development issuer), against an Azurite that already runs; settings from the environment. Prints one JSON
 * line with its start-up timings, and warnings to stderr. Arguments: port, table connection string, table
 * name. The bench measures it from outside: its CPU time apart from the bench's and Azurite's.
 */
async function main() {
  const [port, connectionString, tableName] = process.argv.slice(2);
  if (port === undefined || connectionString === undefined || tableName === undefined) {
    throw new Error("usage: serviceProcess <port> <table connection string> <table name>");
  }
  const loadStart = performance.now();
  // require, as `npm start` loads it (a static import): import() would add node's ESM loader to the timing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startLocalService } = require("../dev/startLocalService") as typeof import("../dev/startLocalService");
  const moduleLoadMs = performance.now() - loadStart;
  const initStart = performance.now();
  await startLocalService({
    port: Number(port),
    tableConnectionString: connectionString,
    functionsDir: path.join(__dirname, "..", "functions"),
    env: { ...process.env, APP_PASSWORDS_TABLE_NAME: tableName },
    onLog: (level, message) => {
      if (level === "warning" || level === "error" || level === "critical") process.stderr.write(`${message}\n`);
    },
  });
  const report: ServiceReport = { bootstrapMs, moduleLoadMs, initMs: performance.now() - initStart };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  // Exits normally when the bench stops it, so a CPU profile (BENCH_SERVICE_CPU_PROF) gets written.
  process.once("SIGTERM", () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

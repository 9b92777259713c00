import path from "node:path";

// Time since this process started (node's time origin) when the first line of this script runs.
const bootstrapMs = performance.now();

/** What the child tells the bench once it serves: its own timings, in milliseconds. */
export interface ColdStartReport {
  /** Process start to the first line of this script: node's own start-up. */
  readonly bootstrapMs: number;
  /** Loading dev/startLocalService and what it imports: shared/, the Azure SDK, jose, zod. */
  readonly moduleLoadMs: number;
  /** `startLocalService`: the config, the function modules (and @azure/functions), listening. */
  readonly initMs: number;
}

/**
 * A fresh process that loads the service as `npm start` does (the local host over `dist/functions`, with
 * the development issuer) against an Azurite that already runs, then prints one JSON line with its
 * timings. Arguments: port, table connection string, table name. Run by `measureColdStart`.
 */
async function main() {
  const [port, connectionString, tableName] = process.argv.slice(2);
  if (port === undefined || connectionString === undefined || tableName === undefined) {
    throw new Error("usage: coldStartService <port> <table connection string> <table name>");
  }
  const loadStart = performance.now();
  const { startLocalService } = await import("../dev/startLocalService.js");
  const moduleLoadMs = performance.now() - loadStart;

  const initStart = performance.now();
  await startLocalService({
    port: Number(port),
    tableConnectionString: connectionString,
    functionsDir: path.join(__dirname, "..", "functions"),
    env: { APP_PASSWORDS_TABLE_NAME: tableName },
    onLog: () => undefined,
  });
  const report: ColdStartReport = { bootstrapMs, moduleLoadMs, initMs: performance.now() - initStart };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

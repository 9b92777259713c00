import path from "node:path";
import { runChild } from "./runChild";

// Time since this process started (node's time origin) when the first line of this script runs.
const bootstrapMs = performance.now();

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
  return { moduleLoadMs, initMs: performance.now() - initStart };
}

runChild(bootstrapMs, main);

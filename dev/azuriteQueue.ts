import { spawn } from "node:child_process";
import { once } from "node:events";
import { freePort } from "./azurite";

/** Azurite's well-known development account (public, documented, not a secret). */
const ACCOUNT = "devstoreaccount1";
const ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export const queueConnectionString = (port: number) =>
  `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};QueueEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`;

export interface RunningAzuriteQueue {
  readonly port: number;
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** Starts Azurite's queue service (the `azurite` npm package) on loopback: in memory, or under `location`. */
export async function startAzuriteQueue(
  options: { location?: string; port?: number } = {},
): Promise<RunningAzuriteQueue> {
  const port = options.port ?? (await freePort());
  const args = [
    require.resolve("azurite/dist/src/queue/main.js"),
    "--queueHost",
    "127.0.0.1",
    "--queuePort",
    String(port),
    "--disableTelemetry",
    "--silent",
    "--skipApiVersionCheck",
    ...(options.location === undefined ? ["--inMemoryPersistence"] : ["--location", options.location]),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("successfully listens")) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`Azurite queue exited (code ${code}) before listening:\n${output}`)));
    child.once("error", reject);
  });
  child.stdout.removeAllListeners("data");
  child.stderr.removeAllListeners("data");
  child.stdout.resume();
  child.stderr.resume();
  return {
    port,
    connectionString: queueConnectionString(port),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

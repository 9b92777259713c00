import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { once } from "node:events";

/** Azurite's well-known development account (public, documented, not a secret). */
const ACCOUNT = "devstoreaccount1";
const ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface RunningAzurite {
  readonly port: number;
  readonly connectionString: string;
  readonly process: ChildProcess;
  /** Stops Azurite and waits for it to exit. */
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Folder for its data; in memory when not given. */
  readonly location?: string;
  /** Port for the table service; a free one when not given. */
  readonly port?: number;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

/** Each Azurite service this project runs (its name is its flags' prefix): entry point, endpoint key, the line it logs once up. */
const SERVICES = {
  table: { main: "azurite/dist/src/table/main.js", endpoint: "TableEndpoint", ready: "successfully started" },
  queue: { main: "azurite/dist/src/queue/main.js", endpoint: "QueueEndpoint", ready: "successfully listens" },
} as const;
type AzuriteService = keyof typeof SERVICES;

const connectionString = (service: AzuriteService, port: number) =>
  `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};${SERVICES[service].endpoint}=http://127.0.0.1:${port}/${ACCOUNT};`;

export const tableConnectionString = (port: number): string => connectionString("table", port);

/** Starts Azurite's table service (from the `azurite` npm package) as a child process on loopback. */
export const startAzurite = (options: AzuriteOptions = {}) => startAzuriteService("table", options);

/** Starts Azurite's queue service the same way: the notices' queue (`npm start`, the tests). */
export const startAzuriteQueue = (options: AzuriteOptions = {}) => startAzuriteService("queue", options);

async function startAzuriteService(service: AzuriteService, options: AzuriteOptions): Promise<RunningAzurite> {
  const port = options.port ?? (await freePort());
  const args = [
    require.resolve(SERVICES[service].main),
    `--${service}Host`,
    "127.0.0.1",
    `--${service}Port`,
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
      if (output.includes(SERVICES[service].ready)) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`Azurite ${service} exited (code ${code}) before listening:\n${output}`)),
    );
    child.once("error", reject);
  });
  // Stop collecting output once it listens: Azurite logs a line per request for as long as it runs.
  child.stdout.removeAllListeners("data");
  child.stderr.removeAllListeners("data");
  child.stdout.resume();
  child.stderr.resume();
  return {
    port,
    connectionString: connectionString(service, port),
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      // SIGINT is the signal on which Azurite saves its data and closes; SIGCONT in case a test paused it.
      child.kill("SIGCONT");
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

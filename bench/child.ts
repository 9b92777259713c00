// A process the bench starts and measures from outside (its CPU time apart from the bench's and Azurite's):
//   child service <port> <table connection string> <table name>
//     the service as `npm start` runs it (the local host over dist/functions, the development issuer).
// and the floors: what any service on this stack pays for a request, with none of this service's code.
//   child node <port>
//     node alone: an HTTP server that answers `{}`.
//   child stack <port> <table connection string> <table name> <argon2 hash>
//     loads the libraries the service's first verify needs (@azure/functions, zod, @azure/data-tables,
//     @node-rs/argon2) and answers as a verify must at least: parse the body, read one partition, check the hash.
//   child list <port> <table connection string> <table name> <user id> <JWKS URL> <issuer> <audience>
//     answers as a list must at least: check the bearer token with jose against the issuer's keys, query the
//     user's app password rows, answer their names and dates as JSON.
// Once it listens it prints one JSON line of its start-up timings in ms: bootstrapMs (process start to the first
// line of this script: node's own start-up), moduleLoadMs (loading what it needs; for the service
// dev/startLocalService with shared/, the Azure SDK, zod) and initMs (start-up work until it listens; for the
// service the config, the function modules, listening). It exits normally on SIGTERM, so a CPU profile
// (BENCH_SERVICE_CPU_PROF) gets written.
import { createServer, type IncomingMessage, type RequestListener } from "node:http";
import path from "node:path";

// Time since this process started (node's time origin) when the first line of this script runs.
const bootstrapMs = performance.now();

/** Runs `answer` for each request and writes its JSON; a failure is a 500 with the error on stderr. */
const answering =
  (answer: (request: IncomingMessage) => Promise<unknown>): RequestListener =>
  (request, response) => {
    answer(request).then(
      (body) => response.setHeader("content-type", "application/json").end(JSON.stringify(body)),
      (error: unknown) => {
        console.error(error);
        response.writeHead(500).end();
      },
    );
  };

/* eslint-disable @typescript-eslint/no-require-imports -- timed as the service loads them: CommonJS, in order */
async function startService(port: number, connectionString: string, tableName: string) {
  const loadStart = performance.now();
  const { startLocalService } = require("../dev/startLocalService") as typeof import("../dev/startLocalService");
  const moduleLoadMs = performance.now() - loadStart;
  const initStart = performance.now();
  await startLocalService({
    port,
    tableConnectionString: connectionString,
    functionsDir: path.join(__dirname, "..", "functions"),
    env: { ...process.env, APP_PASSWORDS_TABLE_NAME: tableName },
    onLog: (level, message) => {
      if (level === "warning" || level === "error" || level === "critical") process.stderr.write(`${message}\n`);
    },
  });
  return { moduleLoadMs, initMs: performance.now() - initStart };
}

async function floorListener(mode: string, [connectionString = "", tableName = "", ...rest]: string[]) {
  if (mode === "node")
    return (request: IncomingMessage, response: Parameters<RequestListener>[1]) => {
      request.resume();
      request.once("end", () => response.end("{}"));
    };
  const readBody = async (request: IncomingMessage) => {
    let text = "";
    for await (const chunk of request) text += String(chunk);
    return text;
  };
  if (mode === "stack") {
    require("@azure/functions");
    const { z } = require("zod") as typeof import("zod");
    const { TableClient, odata } = require("@azure/data-tables") as typeof import("@azure/data-tables");
    const argon2 = require("@node-rs/argon2") as typeof import("@node-rs/argon2");
    const body = z.object({ user: z.string().min(1), password: z.string().min(1), clientIp: z.string().min(1) });
    const client = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
    return answering(async (request) => {
      const { user, password } = body.parse(JSON.parse(await readBody(request)));
      let rows = 0;
      for await (const row of client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${user}` } })) {
        if (row.partitionKey === user) rows++;
      }
      return { valid: await argon2.verify(rest[0] ?? "", password), rows };
    });
  }
  const [userId = "", jwksUrl = "", issuer = "", audience = ""] = rest;
  const jose = await import("jose");
  const { TableClient, odata } = await import("@azure/data-tables");
  const keys = jose.createRemoteJWKSet(new URL(jwksUrl));
  const client = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
  // The rows of the user's app passwords: their row keys start "ap_" ("`" is the character after "_").
  const filter = odata`PartitionKey eq ${userId} and RowKey ge ${"ap_"} and RowKey lt ${"ap`"}`;
  type Row = { rowKey?: string; Name: string; CreatedAt: Date; LastUsedAt?: Date };
  return answering(async (request) => {
    request.resume();
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "";
    await jose.jwtVerify(token, keys, { issuer, audience, algorithms: ["RS256"] });
    const items = [];
    for await (const row of client.listEntities<Row>({ queryOptions: { filter } })) {
      items.push({
        id: row.rowKey?.slice("ap_".length),
        name: row.Name,
        createdAt: row.CreatedAt.toISOString(),
        ...(row.LastUsedAt && { lastUsedAt: row.LastUsedAt.toISOString() }),
      });
    }
    return { items, count: items.length, limit: 40 };
  });
}
/* eslint-enable @typescript-eslint/no-require-imports */

async function main() {
  const [mode = "", port = "", ...rest] = process.argv.slice(2);
  const arity = { service: 2, node: 0, stack: 3, list: 6 }[mode];
  if (arity === undefined || rest.length !== arity || rest.some((arg) => arg === "")) {
    throw new Error(`usage: see the head of bench/child.ts (got: ${process.argv.slice(2).join(" ")})`);
  }
  if (mode === "service") return startService(Number(port), rest[0] ?? "", rest[1] ?? "");
  const loadStart = performance.now();
  const listener = await floorListener(mode, rest);
  const moduleLoadMs = performance.now() - loadStart;
  const initStart = performance.now();
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(Number(port), "127.0.0.1", resolve));
  return { moduleLoadMs, initMs: performance.now() - initStart };
}

main().then(
  (timings) => {
    process.stdout.write(`${JSON.stringify({ bootstrapMs, ...timings })}\n`);
    process.once("SIGTERM", () => process.exit(0));
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

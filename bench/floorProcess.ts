// The floors: what any service on this stack pays for a request, with none of this service's code. The bench
// starts each in a fresh `node` process, the same way it starts the service, and times it beside the service.
//   floorProcess node <port>
//     node alone: an HTTP server that answers `{}`.
//   floorProcess stack <port> <table connection string> <table name> <argon2 hash>
//     also loads the libraries the service's first verify needs (@azure/functions, zod, @azure/data-tables,
//     @node-rs/argon2) and answers each request as a verify must at least: parse the body, read one partition
//     of the table, check the password against the hash.
//   floorProcess list <port> <table connection string> <table name> <user id> <JWKS URL> <issuer> <audience>
//     answers each request as a list of the user's app passwords must at least: check the bearer token with
//     jose against the issuer's keys, query the user's app password rows, answer their names and dates as JSON.
// Prints the same one-line JSON report as serviceProcess once it listens.
import { createServer, type IncomingMessage, type RequestListener } from "node:http";
import { runChild } from "./runChild";

const bootstrapMs = performance.now();

const readBody = async (request: IncomingMessage) => {
  let text = "";
  for await (const chunk of request) text += String(chunk);
  return text;
};

/** Runs `answer` for each request and writes its JSON; a failure is a 500 with the error on stderr. */
const answering =
  (answer: (request: IncomingMessage) => Promise<unknown>): RequestListener =>
  (request, response) => {
    answer(request)
      .then((body) => {
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify(body));
      })
      .catch((error: unknown) => {
        console.error(error);
        response.statusCode = 500;
        response.end();
      });
  };

function stackListener(connectionString: string, tableName: string, hash: string): RequestListener {
  /* eslint-disable @typescript-eslint/no-require-imports -- timed as the service loads them: CommonJS, in order */
  require("@azure/functions");
  const { z } = require("zod") as typeof import("zod");
  const { TableClient, odata } = require("@azure/data-tables") as typeof import("@azure/data-tables");
  const argon2 = require("@node-rs/argon2") as typeof import("@node-rs/argon2");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const body = z.object({ user: z.string().min(1), password: z.string().min(1), clientIp: z.string().min(1) });
  const client = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
  return answering(async (request) => {
    const { user, password } = body.parse(JSON.parse(await readBody(request)));
    const rows = client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${user}` } });
    let count = 0;
    for await (const row of rows) if (row.partitionKey === user) count++;
    return { valid: await argon2.verify(hash, password), rows: count };
  });
}

async function listListener(
  connectionString: string,
  tableName: string,
  userId: string,
  jwks: { url: string; issuer: string; audience: string },
): Promise<RequestListener> {
  const jose = await import("jose");
  const { TableClient, odata } = await import("@azure/data-tables");
  const keys = jose.createRemoteJWKSet(new URL(jwks.url));
  const client = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
  // The rows of the user's app passwords: their row keys start "ap_" ("`" is the character after "_").
  const filter = odata`PartitionKey eq ${userId} and RowKey ge ${"ap_"} and RowKey lt ${"ap`"}`;
  type Row = { rowKey?: string; Name: string; CreatedAt: Date; LastUsedAt?: Date };
  return answering(async (request) => {
    request.resume();
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "";
    await jose.jwtVerify(token, keys, { issuer: jwks.issuer, audience: jwks.audience, algorithms: ["RS256"] });
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

async function main() {
  const [mode, port, connectionString, tableName, ...rest] = process.argv.slice(2);
  const loadStart = performance.now();
  let listener: RequestListener;
  if (mode === "node" && port !== undefined) {
    listener = (request, response) => {
      request.resume();
      request.once("end", () => response.end("{}"));
    };
  } else if (mode === "stack" && port && connectionString && tableName && rest[0]) {
    listener = stackListener(connectionString, tableName, rest[0]);
  } else if (mode === "list" && port && connectionString && tableName && rest.length === 4) {
    const [userId = "", url = "", issuer = "", audience = ""] = rest;
    listener = await listListener(connectionString, tableName, userId, { url, issuer, audience });
  } else {
    throw new Error(
      "usage: floorProcess node <port> | stack <port> <connection string> <table> <hash>" +
        " | list <port> <connection string> <table> <user id> <JWKS URL> <issuer> <audience>",
    );
  }
  const moduleLoadMs = performance.now() - loadStart;
  const initStart = performance.now();
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(Number(port), "127.0.0.1", resolve));
  return { moduleLoadMs, initMs: performance.now() - initStart };
}

runChild(bootstrapMs, main);

// What any service on this stack pays before its first verify answers, with none of this service's code: the
// bench starts it in a fresh `node` process beside each cold start of the service, the same way.
//   coldStartFloor node <port>
//     node alone: an HTTP server that answers `{}`.
//   coldStartFloor stack <port> <table connection string> <table name> <argon2 hash>
//     also loads the libraries the service's first verify needs (@azure/functions, zod, @azure/data-tables,
//     @node-rs/argon2) and answers each request as a verify must at least: parse the body, read one partition
//     of the table, check the password against the hash.
// Prints the same one-line JSON report as serviceProcess once it listens.
import { createServer, type IncomingMessage, type RequestListener } from "node:http";
import { runChild } from "./childProcess";

const bootstrapMs = performance.now();

const readBody = async (request: IncomingMessage) => {
  let text = "";
  for await (const chunk of request) text += String(chunk);
  return text;
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
  return (request, response) => {
    void (async () => {
      const { user, password } = body.parse(JSON.parse(await readBody(request)));
      const rows = client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${user}` } });
      let count = 0;
      for await (const row of rows) if (row.partitionKey === user) count++;
      const valid = await argon2.verify(hash, password);
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ valid, rows: count }));
    })().catch((error: unknown) => {
      console.error(error);
      response.statusCode = 500;
      response.end();
    });
  };
}

async function main() {
  const [mode, port, connectionString, tableName, hash] = process.argv.slice(2);
  const loadStart = performance.now();
  let listener: RequestListener;
  if (mode === "node" && port !== undefined) {
    listener = (request, response) => {
      request.resume();
      request.once("end", () => response.end("{}"));
    };
  } else if (mode === "stack" && port && connectionString && tableName && hash) {
    listener = stackListener(connectionString, tableName, hash);
  } else {
    throw new Error("usage: coldStartFloor node <port> | stack <port> <connection string> <table name> <hash>");
  }
  const moduleLoadMs = performance.now() - loadStart;
  const initStart = performance.now();
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(Number(port), "127.0.0.1", resolve));
  return { moduleLoadMs, initMs: performance.now() - initStart };
}

runChild(bootstrapMs, main);

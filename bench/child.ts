// `child <mode> <port> <table connection string> <table> ...`, a process the bench measures from outside. service:
// as `npm start` runs it. The floors, none of this code: node (no arguments), an HTTP server answering `{}`;
// stack <argon2 hash>, what a verify needs at least (@azure/functions, zod, @azure/data-tables, @node-rs/argon2:
// parse, read one partition, check the hash); list <user id> <JWKS URL> <issuer> <audience>, what a list needs at
// least (jose's token check, the rows' query, JSON). Listening, it prints one JSON line in ms: bootstrapMs (node's
// own), moduleLoadMs, initMs (until it listens). SIGTERM exits normally, so a CPU profile gets written.
/* eslint-disable @typescript-eslint/no-require-imports -- loaded as the service loads: CommonJS, in order */
import { createServer, type IncomingMessage, type RequestListener } from "node:http";
import path from "node:path";

const bootstrapMs = performance.now();

/** Answers each request with the JSON `answer` gives; a failure is a 500 with the error on stderr. */
const answering = (answer: (request: IncomingMessage, body: string) => Promise<unknown>): RequestListener =>
  async function listener(request, response) {
    try {
      let text = "";
      for await (const chunk of request) text += String(chunk);
      response.setHeader("content-type", "application/json").end(JSON.stringify(await answer(request, text)));
    } catch (error) {
      console.error(error);
      response.writeHead(500).end();
    }
  };
const listening = (listener: RequestListener) => async (port: number) => {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
};

/** Loads what `mode` needs and returns how it starts listening. */
async function load(mode: string, [connectionString = "", tableName = "", ...rest]: string[]) {
  if (mode === "node") return listening((request, response) => request.resume().once("end", () => response.end("{}")));
  if (mode === "service") {
    const { startLocalService } = require("../dev/startLocalService") as typeof import("../dev/startLocalService");
    const functionsDir = path.join(__dirname, "..", "functions");
    const env = { ...process.env, APP_PASSWORDS_TABLE_NAME: tableName };
    const onLog = (level: string, message: string) => {
      if (level === "warning" || level === "error" || level === "critical") process.stderr.write(`${message}\n`);
    };
    return (port: number) =>
      startLocalService({ port, tableConnectionString: connectionString, functionsDir, env, onLog });
  }
  if (mode === "stack") {
    require("@azure/functions");
    const { z } = require("zod") as typeof import("zod");
    const { TableClient, odata } = require("@azure/data-tables") as typeof import("@azure/data-tables");
    const argon2 = require("@node-rs/argon2") as typeof import("@node-rs/argon2");
    const verify = z.object({ user: z.string().min(1), password: z.string().min(1), clientIp: z.string().min(1) });
    const client = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
    return listening(
      answering(async (_, body) => {
        const { user, password } = verify.parse(JSON.parse(body));
        let rows = 0;
        for await (const row of client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${user}` } })) {
          if (row.partitionKey === user) rows++;
        }
        return { valid: await argon2.verify(rest[0] ?? "", password), rows };
      }),
    );
  }
  const [userId = "", jwksUrl = "", issuer = "", audience = ""] = rest;
  const jose = await import("jose");
  const { TableClient, odata } = await import("@azure/data-tables");
  const keys = jose.createRemoteJWKSet(new URL(jwksUrl));
  const client = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
  // The rows of the user's app passwords: their row keys start "ap_" ("`" is the character after "_").
  const filter = odata`PartitionKey eq ${userId} and RowKey ge ${"ap_"} and RowKey lt ${"ap`"}`;
  type Row = { rowKey?: string; Name: string; CreatedAt: Date; LastUsedAt?: Date };
  return listening(
    answering(async (request) => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "";
      await jose.jwtVerify(token, keys, { issuer, audience, algorithms: ["RS256"] });
      const items = [];
      for await (const { rowKey, Name, CreatedAt, LastUsedAt } of client.listEntities<Row>({
        queryOptions: { filter },
      })) {
        const lastUsed = LastUsedAt && { lastUsedAt: LastUsedAt.toISOString() };
        items.push({ id: rowKey?.slice("ap_".length), name: Name, createdAt: CreatedAt.toISOString(), ...lastUsed });
      }
      return { items, count: items.length, limit: 40 };
    }),
  );
}

async function main() {
  const [mode = "", port = "", ...rest] = process.argv.slice(2);
  const arity = { service: 2, node: 0, stack: 3, list: 6 }[mode];
  if (arity === undefined || rest.length !== arity || rest.includes("")) {
    throw new Error(`usage: see the head of bench/child.ts (got: ${process.argv.slice(2).join(" ")})`);
  }
  const loadStart = performance.now();
  const listen = await load(mode, rest);
  const [moduleLoadMs, initStart] = [performance.now() - loadStart, performance.now()];
  await listen(Number(port));
  process.stdout.write(`${JSON.stringify({ bootstrapMs, moduleLoadMs, initMs: performance.now() - initStart })}\n`);
  process.once("SIGTERM", () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

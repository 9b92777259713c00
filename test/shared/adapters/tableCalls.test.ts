import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { HttpRequest, InvocationContext, type LogLevel } from "@azure/functions";
import { RestError } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { tableConnectionString } from "../../../dev/azurite";
import { StorageUnavailableError } from "../../../shared/domain/appPasswordStore";
import { handleErrors } from "../../../shared/adapters/handleErrors";
import { createTableCalls, isStorageFault } from "../../../shared/adapters/tableCalls";
import { freshTableName } from "../../support/testService";

/** A loopback listener that accepts connections and never answers; once closed, its port refuses them. */
async function listener(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, port: address.port, sockets };
}

/** What `handleErrors` answers and logs when the handler runs `work`. */
async function answerTo(work: () => Promise<unknown>) {
  const logs: { level: LogLevel; message: string }[] = [];
  const context = new InvocationContext({
    functionName: "storageCall",
    invocationId: randomUUID(),
    logHandler: (level, ...args) => logs.push({ level, message: args.map(String).join(" ") }),
  });
  const handler = handleErrors(async () => {
    await work();
    return { status: 204 };
  });
  const answer = await handler(new HttpRequest({ method: "GET", url: "http://127.0.0.1/api/any" }), context);
  return { answer, logs };
}

describe("tableCalls: what a storage call's failure means", () => {
  let silent: Awaited<ReturnType<typeof listener>>;
  let refusedPort: number;

  beforeAll(async () => {
    silent = await listener();
    const closed = await listener();
    refusedPort = closed.port;
    await new Promise((resolve) => closed.server.close(resolve));
  });
  afterAll(async () => {
    for (const socket of silent.sockets) socket.destroy();
    await new Promise((resolve) => silent.server.close(resolve));
  });

  const callsTo = (connectionString: string, timeoutMs = 5000) =>
    createTableCalls({ connectionString, tableName: freshTableName() }, { timeoutMs });

  it("lets a bug inside a storage call (a TypeError) through, and the error wrapper answers a logged 500", async () => {
    const calls = callsTo(inject("tableConnectionString"));
    const bug = () =>
      calls.call(async (abortSignal) => {
        await calls.client.listEntities({ abortSignal }).next();
        return (undefined as unknown as { rowKey: string }).rowKey;
      });
    await expect(bug()).rejects.toBeInstanceOf(TypeError);
    const { answer, logs } = await answerTo(bug);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body as string)).toMatchObject({ code: "INTERNAL_ERROR" });
    expect(answer.body).not.toContain("TypeError");
    expect(logs).toContainEqual({ level: "error", message: expect.stringContaining("TypeError") });
  });

  it("turns a refused connection (a RestError ECONNREFUSED with no status) into 503 STORAGE_UNAVAILABLE", async () => {
    const calls = callsTo(tableConnectionString(refusedPort));
    const read = () => calls.read("p", "r");
    const error: unknown = await read().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).cause).toMatchObject({ name: "RestError", code: "ECONNREFUSED" });
    const { answer } = await answerTo(read);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body as string)).toMatchObject({ code: "STORAGE_UNAVAILABLE" });
  });

  it("turns a storage call that outlasts its time budget (an AbortError) into 503 STORAGE_UNAVAILABLE", async () => {
    const calls = callsTo(tableConnectionString(silent.port), 300);
    const error: unknown = await calls.read("p", "r").catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).cause).toMatchObject({ name: "AbortError" });
  });

  it("keeps an expected answer (404, 409, 412) a RestError for the store to map", async () => {
    const calls = callsTo(inject("tableConnectionString"));
    expect(
      await calls.write((abortSignal) =>
        calls.client.updateEntity({ partitionKey: "p", rowKey: "none" }, "Merge", { etag: "*", abortSignal }),
      ),
    ).toBe("not-found");
  });

  it.each([
    ["a RestError with no status (a network error)", new RestError("refused", { code: "ECONNREFUSED" }), true],
    ["a RestError 500", new RestError("busy", { statusCode: 500 }), true],
    ["a RestError 503", new RestError("busy", { statusCode: 503 }), true],
    ["a RestError 404", new RestError("missing", { statusCode: 404 }), false],
    ["a RestError 412", new RestError("stale", { statusCode: 412 }), false],
    ["an AbortError", Object.assign(new Error("aborted"), { name: "AbortError" }), true],
    ["a timeout", new DOMException("timed out", "TimeoutError"), true],
    [
      "a managed identity without a token",
      Object.assign(new Error("no token"), { name: "CredentialUnavailableError" }),
      true,
    ],
    ["a Node system error", Object.assign(new Error("reset"), { code: "ECONNRESET", syscall: "read" }), true],
    ["a TypeError", new TypeError("x is undefined"), false],
    ["a Node argument error (a bug)", Object.assign(new TypeError("bad"), { code: "ERR_INVALID_ARG_TYPE" }), false],
    ["a RangeError", new RangeError("too deep"), false],
    ["a thrown string", "oops", false],
  ])("tells whether %s is a storage fault", (_, error, fault) => {
    expect(isStorageFault(error)).toBe(fault);
  });
});

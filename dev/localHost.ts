import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { once } from "node:events";
import type { Duplex } from "node:stream";
import { HttpRequest, InvocationContext, type HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import { BASE_HEADERS, problemResponse, jsonResponse } from "../shared/adapters/problemResponse";
import { createFunctionRegistry, type HostedFunction, type LoadedFunctions } from "./functionRegistry";
import { hostProblem } from "./hostProblem";
import type { ServicesProvider } from "../shared/services";
import type { DevTokenIssuer } from "./devTokenIssuer";
import type { MailSettings } from "./mailSettings";
import { servePortal } from "./servePortal";

export type LogLevel = "trace" | "debug" | "information" | "warning" | "error" | "critical" | "none";

export interface LocalHostOptions {
  readonly functions: LoadedFunctions;
  /** What the functions are served with, at each call. */
  readonly services: ServicesProvider;
  /** Required in `x-functions-key` (or `?code=`) by functions with `authLevel: "function"`. */
  readonly functionKey: string;
  readonly issuer: DevTokenIssuer;
  readonly port: number;
  readonly hostname?: string;
  /** Receives every line a function logs (default: the console). */
  readonly onLog?: (level: LogLevel, message: string) => void;
  /** The built self-service page (portal/dist), served at `/` with its `/config.json`; not served when left out. */
  readonly portalDir?: string;
  /** The tenant's mail settings the page's `/config.json` carries (none: the page shows the password alone). */
  readonly portalMail?: MailSettings;
  /** How long a client may take to send a request's headers (default 10 s); then 408 and the connection closes. */
  readonly headersTimeoutMs?: number;
  /** How long a client may take to send a whole request, body included (default 30 s); then the same. */
  readonly requestTimeoutMs?: number;
  /** Azurite's queue service: its queue functions are polled there, as the host's queue trigger polls. */
  readonly queueConnectionString?: string;
  /** How often each queue is polled (default 1 s). */
  readonly queuePollMs?: number;
}

export interface LocalHost {
  readonly url: string;
  /** The time limits the server enforces on a request's arrival, as it was configured. */
  readonly timeouts: { readonly headersMs: number; readonly requestMs: number };
  close(): Promise<void>;
}

/** A slow or stalled client holds a connection and its memory: these bound how long. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The Functions host's route prefix. */
const ROUTE_PREFIX = "/api/";
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * RFC 9110's `Host`: a registered name or IPv4 address (RFC 3986 `reg-name` characters), or a bracketed IPv6
 * address, and an optional port.
 */
const HOST_HEADER = /^(?:[\w\-.~!$&'()*+,;=%]+|\[[\da-f:.]+\])(?::\d*)?$/i;

/** `Host` values of requests addressed to this machine's loopback interface, with or without a port. */
const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

const sha256 = (value: string) => createHash("sha256").update(value).digest();

const tokenRequest = z.strictObject({
  upn: z
    .string()
    .trim()
    .min(3)
    .max(256)
    .regex(/^[^@\s]+@[^@\s]+$/, "must look like alice@contoso.com"),
  oid: z.uuid().optional(),
  roles: z.array(z.string().max(64)).max(10).optional(),
});

/**
 * Serves the functions at the Functions host's routes (`/api/...`), enforces the function key, runs the
 * development token issuer at `/dev/token` and `/dev/jwks`, and serves the self-service page at `/` when given
 * its folder. Local development and tests only.
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const registry = createFunctionRegistry(options.functions, options.services);
  const expectedKey = sha256(options.functionKey);
  const log =
    options.onLog ?? ((level: LogLevel, message: string) => (level === "error" ? console.error : console.log)(message));

  const hasFunctionKey = (request: IncomingMessage, url: URL) => {
    const given = request.headers["x-functions-key"] ?? url.searchParams.get("code") ?? "";
    return timingSafeEqual(sha256(Array.isArray(given) ? given.join(",") : given), expectedKey);
  };

  /** What a function is handed to log with: its lines go to `onLog`. */
  const invocationContext = (functionName: string) =>
    new InvocationContext({
      functionName,
      invocationId: randomUUID(),
      logHandler: (level, ...args) => log(level, args.map(String).join(" ")),
    });

  async function invoke(
    fn: HostedFunction,
    request: IncomingMessage,
    url: URL,
    params: Readonly<Record<string, string>>,
    body: Buffer,
  ) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    // As the platform's front end does: the caller's address is the last X-Forwarded-For entry.
    const remote = request.socket.remoteAddress ?? "";
    headers["x-forwarded-for"] = headers["x-forwarded-for"] ? `${headers["x-forwarded-for"]}, ${remote}` : remote;
    const httpRequest = new HttpRequest({
      method: request.method ?? "GET",
      url: url.toString(),
      headers,
      params,
      body: { bytes: body },
    });
    return (await fn.options.handler(httpRequest, invocationContext(fn.name))) as HttpResponseInit;
  }

  /**
   * Runs a timer function now, as `POST /admin/functions/{name}` does on the Functions host (there with the
   * master key, here with the function key), and answers 202 once it has finished.
   */
  async function runTimer(name: string, request: IncomingMessage, url: URL): Promise<HttpResponseInit> {
    if (!hasFunctionKey(request, url)) return missingFunctionKey();
    if (!(await registry.runTimer(name, invocationContext))) {
      return hostProblem("NOT_FOUND", `No timer function named ${name}.`);
    }
    return { status: 202, headers: BASE_HEADERS };
  }

  async function route(request: IncomingMessage, body: Buffer): Promise<HttpResponseInit> {
    const url = requestUrl(request);
    if (url === undefined) {
      return problemResponse("INVALID_REQUEST", "The Host header must be a host name or address, and a port.", {
        errors: [{ field: "host", message: "must be a host name, an IPv4 address or a bracketed IPv6 address" }],
      });
    }
    const method = request.method ?? "GET";
    if (url.pathname.startsWith("/dev/")) {
      // A web page can reach this host through the developer's browser under a name of its own (DNS
      // rebinding); its requests then carry that name in Host, which no development request does.
      if (!LOOPBACK_HOST.test(request.headers.host ?? "")) {
        return problemResponse("FORBIDDEN", "The development issuer answers only requests addressed to localhost.");
      }
      if (url.pathname === "/dev/jwks" && method === "GET") return jsonResponse(200, await options.issuer.jwks());
      if (url.pathname === "/dev/token" && method === "POST") return issueToken(request, body);
    }
    const admin = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname);
    if (admin?.[1] !== undefined && method === "POST") return runTimer(admin[1], request, url);
    if (options.portalDir !== undefined && (method === "GET" || method === "HEAD") && isPagePath(url.pathname)) {
      return servePortal(options.portalDir, url.pathname, options.portalMail);
    }
    if (!url.pathname.startsWith(ROUTE_PREFIX)) return notFound();

    const match = registry.match(method, url.pathname.slice(ROUTE_PREFIX.length));
    switch (match.kind) {
      case "found":
        if (match.fn.options.authLevel === "function" && !hasFunctionKey(request, url)) return missingFunctionKey();
        return invoke(match.fn, request, url, match.params, body);
      case "malformed":
        return problemResponse("INVALID_REQUEST", `Route parameter ${match.param} is not valid.`, {
          errors: [{ field: match.param, message: "malformed percent-encoding" }],
        });
      case "method-not-allowed":
        return hostProblem("METHOD_NOT_ALLOWED", `${method} is not allowed on ${url.pathname}.`);
      case "not-found":
        return notFound();
    }
  }

  async function issueToken(request: IncomingMessage, body: Buffer): Promise<HttpResponseInit> {
    // Only JSON, which a cross-site form or a CORS-free "simple" request cannot send.
    if (!/^application\/json\s*(;|$)/i.test(request.headers["content-type"] ?? "")) {
      return problemResponse("INVALID_REQUEST", "Send the token request as Content-Type: application/json.", {
        errors: [{ field: "content-type", message: "must be application/json" }],
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      return problemResponse("MALFORMED_JSON", 'Send JSON such as {"upn":"alice@contoso.com"}.');
    }
    const parsed = tokenRequest.safeParse(json);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => ({
        field: issue.path.join(".") || "body",
        message: issue.message,
      }));
      return problemResponse("INVALID_REQUEST", "Invalid token request.", { errors });
    }
    const accessToken = await options.issuer.issue(parsed.data);
    return jsonResponse(200, { access_token: accessToken, token_type: "Bearer", expires_in: 3600 });
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    let answer: HttpResponseInit;
    try {
      const body = await readBody(request);
      // The connection is not reused after a refused body: the client may still have been sending it.
      answer = body === undefined ? tooLarge() : await route(request, body);
    } catch (error) {
      // A client that went away, or was cut off for being too slow (answered in onClientError), is owed nothing.
      if (!request.complete) {
        response.destroy();
        return;
      }
      log("error", `Local host error: ${error instanceof Error ? (error.stack ?? error.message) : "unknown"}`);
      answer = problemResponse("INTERNAL_ERROR", "Something went wrong on our side.");
    }
    try {
      send(response, answer);
    } catch (error) {
      // Such as a header value that is not Latin-1: the answer is still problem+json, never a bare 500.
      log("error", `Local host error: ${error instanceof Error ? error.message : "unknown"}`);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      for (const name of response.getHeaderNames()) response.removeHeader(name);
      send(response, problemResponse("INTERNAL_ERROR", "Something went wrong on our side."));
    }
  }

  /** The answer each connection is giving, so a client error arriving meanwhile does not cut into it. */
  const answering = new WeakMap<Duplex, ServerResponse>();

  /**
   * A request Node's parser refuses (not valid HTTP, headers too large) or a client too slow to send one never
   * reaches `handle`: it is answered here, straight on the socket, problem+json like everything else.
   */
  function onClientError(error: NodeJS.ErrnoException, socket: Duplex) {
    const current = answering.get(socket);
    const midAnswer = current !== undefined && current.headersSent && !current.writableEnded;
    if (error.code === "ECONNRESET" || !socket.writable || midAnswer) {
      socket.destroy();
      return;
    }
    socket.end(rawAnswer(clientErrorAnswer(error.code)));
  }

  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(headersTimeout > 0 && headersTimeout <= requestTimeout)) {
    throw new Error("The headers timeout must be positive and at most the request timeout.");
  }
  const server: Server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node looks for stalled requests this often (30 s by default, longer than either limit).
      connectionsCheckingInterval: Math.max(10, Math.min(1000, headersTimeout / 10)),
      // A request without Host is answered by route() as problem+json, not by Node with a bare 400.
      requireHostHeader: false,
    },
    (request, response) => {
      answering.set(request.socket, response);
      void handle(request, response);
    },
  );
  server.on("clientError", onClientError);
  server.listen(options.port, options.hostname ?? "127.0.0.1");
  await once(server, "listening");
  const stopPolling = pollQueues(registry, options, invocationContext, log);
  return {
    url: `http://${options.hostname ?? "127.0.0.1"}:${options.port}`,
    timeouts: { headersMs: server.headersTimeout, requestMs: server.requestTimeout },
    close: () =>
      new Promise<void>((resolve) => {
        stopPolling();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The request's URL, or undefined when its Host header (required in HTTP/1.1) is not one. A header such as
 * `[::1`, `a b` or `a@b` must be a 400, not an error thrown while routing.
 */
function requestUrl(request: IncomingMessage): URL | undefined {
  const host = request.headers.host;
  if (host === undefined && request.httpVersion !== "1.0") return undefined;
  if (host !== undefined && !HOST_HEADER.test(host)) return undefined;
  try {
    return new URL(request.url ?? "/", `http://${host ?? "localhost"}`);
  } catch {
    return undefined;
  }
}

/** The answer to a request Node's HTTP parser or its time limits refused, by the error's code. */
function clientErrorAnswer(code: string | undefined): HttpResponseInit {
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return hostProblem("REQUEST_TIMEOUT", "The request did not arrive in time; the connection is closed.");
  }
  if (code === "HPE_HEADER_OVERFLOW") return hostProblem("HEADERS_TOO_LARGE", "The request headers are too large.");
  return problemResponse("INVALID_REQUEST", "The request is not valid HTTP/1.1 (a path must be percent-encoded).", {
    errors: [{ field: "request", message: "not valid HTTP" }],
  });
}

/** A whole HTTP/1.1 answer as bytes for the socket, for when there is no response object to send it with. */
function rawAnswer(answer: HttpResponseInit): string {
  const status = answer.status ?? 500;
  const body = typeof answer.body === "string" ? answer.body : "";
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
    ...headerEntries(answer.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${Buffer.byteLength(body)}`,
    "connection: close",
    "",
    body,
  ].join("\r\n");
}

/** Paths of the self-service page: everything but the API, the development issuer and the admin endpoints. */
const isPagePath = (pathname: string) => !/^\/(?:api|dev|admin)(?:\/|$)/i.test(pathname);

const tooLarge = (): HttpResponseInit => {
  const answer = problemResponse("PAYLOAD_TOO_LARGE", `The body must be at most ${MAX_REQUEST_BYTES} bytes.`);
  return { ...answer, headers: { ...Object.fromEntries(headerEntries(answer.headers)), connection: "close" } };
};
const notFound = () => hostProblem("NOT_FOUND", "No such route. The API lives under /api; see the README.");
const missingFunctionKey = () =>
  hostProblem("INVALID_FUNCTION_KEY", "Send the function key in the x-functions-key header.");

/**
 * The whole body, or undefined past 1 MiB. The rest of an oversized body is read and dropped rather than left
 * unread: leaving the loop early would destroy the request and with it the connection, which a client's
 * keep-alive pool may hand to its next request, to be reset mid-answer.
 */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks);
}

/**
 * An answer's headers as [lower-case name, value] pairs, from any form a function may give them in. Not through
 * the global `Headers`: its first use makes node load its internal fetch, a good part of a cold start, which
 * the Functions host (with @azure/functions' own) never pays.
 */
function headerEntries(init: HttpResponseInit["headers"]): [string, string][] {
  if (init === undefined) return [];
  const pairs: Iterable<[string, string]> =
    Array.isArray(init) || Symbol.iterator in init
      ? (init as Iterable<[string, string]>)
      : Object.entries(init as Record<string, string | readonly string[]>).map(([name, value]): [string, string] => [
          name,
          typeof value === "string" ? value : value.join(", "),
        ]);
  return [...pairs].map(([name, value]) => [name.toLowerCase(), value]);
}

function send(response: ServerResponse, answer: HttpResponseInit) {
  const headers = new Map(headerEntries(answer.headers));
  let body: string | Uint8Array | undefined;
  if (answer.jsonBody !== undefined) {
    body = JSON.stringify(answer.jsonBody);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  } else if (typeof answer.body === "string" || answer.body instanceof Uint8Array) {
    body = answer.body;
  } else if (answer.body !== undefined && answer.body !== null) {
    throw new Error("The local host sends string, byte or JSON bodies only");
  }
  response.statusCode = answer.status ?? 200;
  headers.forEach((value, name) => response.setHeader(name, value));
  response.end(body);
}

/**
 * Polls each queue function's queue every `queuePollMs`, one pass at a time, as the host's trigger does (same
 * dequeue limit, same poison queue); nothing when no queue service is configured. Returns what stops it.
 */
function pollQueues(
  registry: ReturnType<typeof createFunctionRegistry>,
  options: LocalHostOptions,
  context: (functionName: string) => InvocationContext,
  log: (level: LogLevel, message: string) => void,
): () => void {
  const connection = options.queueConnectionString;
  if (connection === undefined || registry.queues.length === 0) return () => undefined;
  // The queue SDK is loaded when there is a queue to poll, not at every start of the local host (CommonJS, as
  // shared/notices/queueNotices.ts requires it).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = Promise.resolve().then(() => require("@azure/storage-queue") as typeof import("@azure/storage-queue"));
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    sdk
      .then(({ QueueClient }) =>
        Promise.all(
          registry.queues.map((fn) =>
            registry.pollQueue(fn.name, (queueName) => new QueueClient(connection, queueName), context),
          ),
        ),
      )
      .catch((error: unknown) =>
        log("warning", `Queue poll failed: ${error instanceof Error ? error.message : "unknown"}`),
      )
      .finally(() => {
        busy = false;
      });
  }, options.queuePollMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}

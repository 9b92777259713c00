import { randomBytes } from "node:crypto";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { HttpRequest, InvocationContext, type HttpResponseInit, type LogLevel } from "@azure/functions";
import { createLocalJWKSet } from "jose";
import { inject } from "vitest";
import { QueueClient } from "@azure/storage-queue";
import { createFunctionRegistry, loadFunctions } from "../../dev/functionRegistry";
import type { QueuePass } from "../../dev/queuePoller";
import { DEV_AUDIENCE } from "../../dev/startLocalService";
import { createDevTokenIssuer, type DevTokenIssuer } from "../../dev/devTokenIssuer";
import { loadConfig } from "../../shared/adapters/config";
import { createTokenValidator } from "../../shared/adapters/tokenValidator";
import { createServices, type ServiceOverrides, type Services } from "../../shared/services";
import { ADMIN_ROLES, DEFAULT_CLIENT_IP } from "./constants";
import { registeredUser, type RegisteredUser } from "./fixtures";
import { parseJson, type CallOptions, type CallResult, type ServiceClient } from "./serviceClient";
import { freshTableName } from "./testService";

const FUNCTIONS_DIR = path.join(__dirname, "..", "..", "functions");
/** The development issuer's name here: tokens are checked against its keys in process, never fetched. */
const ISSUER = "https://dev-issuer.invalid/in-process";
/** A function key as the Functions host would check it; in process, no host checks it. */
const FUNCTION_KEY = "in-process-no-host";

export interface FunctionHarness extends ServiceClient {
  readonly issuer: DevTokenIssuer;
  readonly services: Services;
  /** Every line a function logged through its InvocationContext. */
  readonly logs: { level: LogLevel; message: string }[];
  /** Runs a timer function now, as its schedule would. */
  runTimer(name: string): Promise<void>;
  /** One pass of a queue function over its queue, as the host's trigger polls it (needs a queue setting). */
  pollQueue(name: string): Promise<QueuePass>;
  /** Nothing to stop: kept so a test reads the same with either harness. */
  close(): Promise<void>;
}

/** What the harness is started with: overrides of the services, and settings over the test defaults. */
export interface FunctionHarnessOptions extends ServiceOverrides {
  readonly env?: Record<string, string>;
}

/** The harness with the two people most handler tests act as. */
export interface AliceAndAdmin {
  readonly service: FunctionHarness;
  /** A registered person, holding their initial app password. */
  readonly alice: RegisteredUser;
  /** A registered administrator. */
  readonly admin: RegisteredUser;
}

/** What a function answered, read the way an HTTP client reads it. */
function resultOf(answer: HttpResponseInit): CallResult {
  const headers = new Headers(answer.headers);
  let text = "";
  if (answer.jsonBody !== undefined) {
    text = JSON.stringify(answer.jsonBody);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  } else if (typeof answer.body === "string") text = answer.body;
  else if (answer.body instanceof Uint8Array) text = Buffer.from(answer.body).toString("utf8");
  else if (answer.body !== undefined && answer.body !== null) throw new Error("Unexpected body type in an answer");
  return { status: answer.status ?? 200, headers, text, json: parseJson(text) };
}

/**
 * The functions called in process, as the Azure Functions library's own tests call them: a real
 * `HttpRequest` and `InvocationContext`, no host in between. The services are wired to the test run's
 * Azurite (a table of their own) and served to this harness's functions only; tokens come from the development issuer,
 * whose keys the token validator is given directly.
 *
 * `call` picks the function the way the Functions host routes (method and route template) so tests read
 * like requests; what only a host does (404, 405, the function key, dot segments) is not here: see
 * `test/dev/localHost.test.ts`.
 */
export async function startFunctionHarness(options: FunctionHarnessOptions = {}): Promise<FunctionHarness> {
  const config = loadConfig({
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    AUTH_JWKS_URI: `${ISSUER}/jwks`,
    APP_PASSWORDS_TABLE_CONNECTION_STRING: inject("tableConnectionString"),
    APP_PASSWORDS_TABLE_NAME: freshTableName(),
    APP_PASSWORDS_THROTTLE_KEY: randomBytes(32).toString("base64url"),
    ...options.env,
  });
  const issuer = createDevTokenIssuer(ISSUER, DEV_AUDIENCE);
  const services: Services = {
    ...createServices(config, options),
    validateToken: createTokenValidator(config.auth, createLocalJWKSet(await issuer.jwks())),
  };
  const registry = createFunctionRegistry(await loadFunctions(FUNCTIONS_DIR), () => services);
  const logs: { level: LogLevel; message: string }[] = [];
  const contextFor = (functionName: string) =>
    new InvocationContext({
      functionName,
      invocationId: randomUUID(),
      logHandler: (level, ...args) => logs.push({ level, message: args.map(String).join(" ") }),
    });

  async function call(method: string, route: string, callOptions: CallOptions = {}): Promise<CallResult> {
    const url = new URL(route, "http://127.0.0.1:7071");
    const match = registry.match(method, url.pathname.replace(/^\/api\//, ""));
    if (match.kind !== "found") throw new Error(`No function serves ${method} ${url.pathname} (${match.kind})`);
    const { fn, params } = match;
    const headers: Record<string, string> = { ...callOptions.headers };
    if (callOptions.token !== undefined) headers.authorization = `Bearer ${callOptions.token}`;
    let body = callOptions.rawBody;
    if (body === undefined && callOptions.body !== undefined) {
      body = JSON.stringify(callOptions.body);
      headers["content-type"] ??= "application/json";
    }
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      params: { ...params },
      ...(body !== undefined && { body: { string: body } }),
    });
    return resultOf(await fn.options.handler(request, contextFor(fn.name)));
  }

  async function pollQueue(name: string): Promise<QueuePass> {
    const connection = config.notices.queueConnectionString;
    if (connection === undefined) throw new Error("No queue configured: set NOTICES_QUEUE_CONNECTION_STRING");
    const pass = await registry.pollQueue(name, (queueName) => new QueueClient(connection, queueName), contextFor);
    if (!pass) throw new Error(`No queue function named ${name}`);
    return pass;
  }

  async function runTimer(name: string): Promise<void> {
    if (!(await registry.runTimer(name, contextFor))) throw new Error(`No timer function named ${name}`);
  }

  return {
    config,
    functionKey: FUNCTION_KEY,
    issuer,
    services,
    logs,
    token: (request) => issuer.issue(request),
    call,
    runTimer,
    pollQueue,
    verify: (user, password, extra = {}) =>
      call("POST", "/api/verify", {
        body: { user, password, clientIp: DEFAULT_CLIENT_IP, ...extra },
        headers: { "x-functions-key": FUNCTION_KEY },
      }),
    close: () => Promise.resolve(),
  };
}

/** `startFunctionHarness`, then alice registers, then an administrator does. */
export async function startWithAliceAndAdmin(options: FunctionHarnessOptions = {}): Promise<AliceAndAdmin> {
  const service = await startFunctionHarness(options);
  const alice = await registeredUser(service, "alice");
  const admin = await registeredUser(service, "admin", ADMIN_ROLES);
  return { service, alice, admin };
}

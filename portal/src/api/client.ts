/**
 * The one client of the app passwords API the page uses. Its types are generated from the service's OpenAPI
 * document (`schema.d.ts`, `npm run generate:client`) and its calls made by openapi-fetch against them. Every
 * answer that is not a success becomes an {@link ApiError} carrying the RFC 9457 problem, so components switch
 * on `code`.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Schemas = components["schemas"];

/** An app password as the list shows it: never its password or hash. */
export type AppPassword = Schemas["AppPassword"];
/** The answer to a create: the item plus its password, shown once. */
export type NewAppPassword = Schemas["IssuedAppPassword"];
export type AppPasswordList = Schemas["AppPasswordList"];
/** `appPassword` only the first time, and only while the tenant allows app passwords. */
export type Registration = Schemas["Registration"];
/** One event of a person's activity; never a secret. */
export type ActivityEvent = Schemas["ActivityEvent"];
/** A page of activity; `continuation`, when older events remain, is passed back to read them. */
export type ActivityPage = Schemas["ActivityPage"];
export type NewAppPasswordRequest =
  paths["/users/{user}/app-passwords"]["post"]["requestBody"]["content"]["application/json"];
/** The protocols an app password may be restricted to. */
export type Protocol = NonNullable<NewAppPasswordRequest["protocols"]>[number];
/** What a hand-off stores and answers once: the page's AES-GCM output and nonce, base64url. */
export type HandoffCiphertext = Schemas["HandoffCiphertext"];
/** A stored hand-off: the id the phone reads it by, once, before `expiresAt`. */
export type Handoff = Schemas["Handoff"];
/** The tenant policy that applies, where it comes from, and its ETag for a save. */
export type Policy = Schemas["Policy"];
/** The four values an administrator saves. */
export type PolicyValues = Schemas["PolicyValues"];
/** An app password of the organization's inventory, with whose it is; a page of them, and its query. */
export type InventoryAppPassword = Schemas["InventoryAppPassword"];
export type InventoryPage = Schemas["InventoryPage"];
export type InventoryQuery = NonNullable<paths["/app-passwords"]["get"]["parameters"]["query"]>;
/** An RFC 9457 problem as the service sends it; partial when the page made it up (unreachable, not JSON). */
export type Problem = Partial<Schemas["Problem"]>;

/** A call that did not succeed: `status` 0 when the service could not be reached at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `The service answered ${status}.`);
    this.name = "ApiError";
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  /** The service is busy or cannot reach its storage: worth trying again shortly. */
  get isUnavailable(): boolean {
    return this.status === 503 || this.status === 0;
  }

  /** The route or method does not exist in this version of the service (not an unknown app password). */
  get isUnsupported(): boolean {
    return this.status === 405 || (this.status === 404 && this.code !== "APP_PASSWORD_NOT_FOUND");
  }
}

export interface ApiClientOptions {
  /** `https://<function app>/api` in Azure, `/api` locally: the generated paths follow it. */
  readonly baseUrl: string;
  /** A fresh access token for the API. */
  readonly getToken: () => Promise<string>;
  readonly fetch?: typeof fetch;
}

/** The operations of DESIGN.md "HTTP API" a person or an administrator can call from the page. */
export interface ApiClient {
  /** `name`: the first app password's, in the page's language (the service's default is English). */
  register(user: string, name?: string): Promise<Registration>;
  list(user: string): Promise<AppPasswordList>;
  get(user: string, id: string): Promise<AppPassword>;
  create(user: string, request: NewAppPasswordRequest): Promise<NewAppPassword>;
  rename(user: string, id: string, name: string): Promise<AppPassword>;
  remove(user: string, id: string): Promise<void>;
  removeAll(user: string): Promise<void>;
  activity(user: string, continuation?: string): Promise<ActivityPage>;
  resetThrottle(user: string): Promise<void>;
  /** A page of every app password of the organization (administrators). */
  inventory(query: InventoryQuery): Promise<InventoryPage>;
  /** Stores an encrypted device set-up for the person's phone (only for oneself). */
  createHandoff(user: string, sealed: HandoffCiphertext): Promise<Handoff>;
  /** Takes back an unread hand-off. */
  deleteHandoff(user: string, id: string): Promise<void>;
  /** Reads a hand-off once, signed in or not: no token is asked for or sent. */
  readHandoff(id: string): Promise<HandoffCiphertext>;
  /** What this deployment of the service offers beyond create, list and delete. */
  capabilities(): Promise<Capabilities>;
  /** The tenant policy that applies to the signed-in person. */
  policy(): Promise<Policy>;
  /** An administrator saves the policy over the version `etag` names (412 `POLICY_CHANGED` when stale). */
  savePolicy(values: PolicyValues, etag: string): Promise<Policy>;
}

/** Parts of the API newer than create, list and delete; the page hides what the service does not offer. */
export interface Capabilities {
  readonly rename: boolean;
  readonly activity: boolean;
  readonly restrictions: boolean;
}

/** The service as it was before rename, activity and restrictions: what the page assumes without an OpenAPI document. */
export const BASIC_CAPABILITIES: Capabilities = { rename: false, activity: false, restrictions: false };

/** What openapi-fetch settles a call with: the body of a success, or what the service said instead. */
interface Settled<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/** Builds the client. Nothing it sends or keeps holds a password beyond the call that returns it. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    fetch: (request) => doFetch(request),
    cache: "no-store",
  });
  // Per call, not as middleware: a token that cannot be had is the sign-in's error, not an unreachable service.
  const authorized = async () => ({ authorization: `Bearer ${await options.getToken()}` });
  const user = (name: string) => ({ path: { user: name } });
  const item = (name: string, id: string) => ({ path: { user: name, id } });

  return {
    register: async (name, first) =>
      settle(
        client.POST("/users/{user}/registration", {
          params: user(name),
          headers: await authorized(),
          ...(first !== undefined && { body: { name: first } }),
        }),
      ),
    list: async (name) =>
      settle(client.GET("/users/{user}/app-passwords", { params: user(name), headers: await authorized() })),
    get: async (name, id) =>
      settle(client.GET("/users/{user}/app-passwords/{id}", { params: item(name, id), headers: await authorized() })),
    create: async (name, request) =>
      settle(
        client.POST("/users/{user}/app-passwords", { params: user(name), body: request, headers: await authorized() }),
      ),
    rename: async (name, id, newName) =>
      settle(
        client.PATCH("/users/{user}/app-passwords/{id}", {
          params: item(name, id),
          body: { name: newName },
          headers: await authorized(),
        }),
      ),
    remove: async (name, id) =>
      settle(
        client.DELETE("/users/{user}/app-passwords/{id}", { params: item(name, id), headers: await authorized() }),
      ),
    removeAll: async (name) =>
      settle(client.DELETE("/users/{user}/app-passwords", { params: user(name), headers: await authorized() })),
    activity: async (name, continuation) =>
      settle(
        client.GET("/users/{user}/activity", {
          params: { ...user(name), query: continuation === undefined ? {} : { continuation } },
          headers: await authorized(),
        }),
      ),
    resetThrottle: async (name) =>
      settle(client.DELETE("/users/{user}/throttle", { params: user(name), headers: await authorized() })),
    inventory: async (query) =>
      settle(client.GET("/app-passwords", { params: { query }, headers: await authorized() })),
    createHandoff: async (name, sealed) =>
      settle(client.POST("/users/{user}/handoffs", { params: user(name), body: sealed, headers: await authorized() })),
    deleteHandoff: async (name, id) =>
      settle(
        client.DELETE("/users/{user}/handoffs/{handoffId}", {
          params: { path: { user: name, handoffId: id } },
          headers: await authorized(),
        }),
      ),
    policy: async () => settle(client.GET("/policy", { headers: await authorized() })),
    savePolicy: async (values, etag) =>
      settle(client.PUT("/policy", { body: values, headers: { ...(await authorized()), "if-match": etag } })),
    readHandoff: (id) => settle(client.GET("/handoffs/{handoffId}", { params: { path: { handoffId: id } } })),
    capabilities: async () => {
      try {
        const { data } = await client.GET("/openapi.json");
        return isObject(data) ? capabilitiesOf(data) : BASIC_CAPABILITIES;
      } catch {
        return BASIC_CAPABILITIES;
      }
    },
  };
}

/** The body of a success; anything else thrown as an {@link ApiError} with the service's problem. */
async function settle<T>(call: Promise<Settled<T>>): Promise<T> {
  let settled: Settled<T>;
  try {
    settled = await call;
  } catch {
    throw new ApiError(0, { detail: "The service could not be reached. Check your connection." });
  }
  const { response } = settled;
  if (!response.ok) {
    throw new ApiError(response.status, isObject(settled.error) ? settled.error : { status: response.status });
  }
  // A success without a body (204) is what the operations answering `void` promise.
  return settled.data as T;
}

/** Reads what the service offers from its OpenAPI document's paths and schemas. */
export function capabilitiesOf(document: object): Capabilities {
  const paths = "paths" in document && isObject(document.paths) ? document.paths : {};
  const entries = Object.entries(paths) as [string, unknown][];
  const hasMethod = (pattern: RegExp, method: string) =>
    entries.some(([path, item]) => pattern.test(path) && isObject(item) && method in item);
  return {
    rename: hasMethod(/\/app-passwords\/\{[^}]+\}$/, "patch"),
    activity: hasMethod(/\/activity$/, "get"),
    restrictions: JSON.stringify(document).includes('"expiresInDays"'),
  };
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

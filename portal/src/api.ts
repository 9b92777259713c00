/**
 * The one client of the app passwords API the page uses, typed after DESIGN.md "HTTP API". Every answer that is
 * not a success becomes an {@link ApiError} carrying the RFC 9457 problem, so components switch on `code`.
 */

/** The protocols an app password may be restricted to. */
export const PROTOCOLS = ["imap", "pop3", "smtp", "eas", "dav", "other"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** An app password as the list shows it: never its password or hash. */
export interface AppPassword {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt?: string;
  readonly lastUsedIp?: string;
  readonly lastUsedProtocol?: string;
  readonly expiresAt?: string;
  readonly protocols?: readonly Protocol[];
  readonly allowedIps?: readonly string[];
}

/** The answer to a create: the item plus its password, shown once. */
export interface NewAppPassword extends AppPassword {
  readonly password: string;
}

export interface AppPasswordList {
  readonly items: readonly AppPassword[];
  readonly count: number;
  readonly limit: number;
}

export interface Registration {
  readonly userId: string;
  readonly registeredAt: string;
  /** Only the first time, and only while the tenant allows app passwords. */
  readonly appPassword?: NewAppPassword;
}

export interface NewAppPasswordRequest {
  readonly name: string;
  readonly expiresInDays?: number;
  readonly protocols?: readonly Protocol[];
  readonly allowedIps?: readonly string[];
}

export type ActivityEventKind =
  | "created"
  | "renamed"
  | "deleted"
  | "first-use-from-new-address"
  | "verify-locked-out"
  | "login-name-released"
  | "login-name-release-lifted"
  | "throttle-reset";

/** One event of a person's activity; never a secret. */
export interface ActivityEvent {
  readonly at: string;
  readonly event: ActivityEventKind;
  readonly appPasswordId?: string;
  readonly name?: string;
  /** Of a rename: the name before it. */
  readonly previousName?: string;
  readonly by?: string;
  /** Of the login-name events: the login name released, or given back. */
  readonly loginName?: string;
  readonly ip?: string;
  readonly protocol?: string;
}

export interface ActivityPage {
  readonly items: readonly ActivityEvent[];
  /** Present when older events remain: pass it back to read them. */
  readonly continuation?: string;
}

/** An RFC 9457 problem as the service sends it. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly code?: string;
  readonly errors?: readonly { readonly field: string; readonly message: string }[];
  readonly limit?: number;
}

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
  /** `https://<function app>/api` in Azure, `/api` locally. */
  readonly baseUrl: string;
  /** A fresh access token for the API. */
  readonly getToken: () => Promise<string>;
  readonly fetch?: typeof fetch;
}

/** The operations of DESIGN.md "HTTP API" a person or an administrator can call from the page. */
export interface ApiClient {
  register(user: string): Promise<Registration>;
  list(user: string): Promise<AppPasswordList>;
  get(user: string, id: string): Promise<AppPassword>;
  create(user: string, request: NewAppPasswordRequest): Promise<NewAppPassword>;
  rename(user: string, id: string, name: string): Promise<AppPassword>;
  remove(user: string, id: string): Promise<void>;
  removeAll(user: string): Promise<void>;
  activity(user: string, continuation?: string): Promise<ActivityPage>;
  resetThrottle(user: string): Promise<void>;
  /** What this deployment of the service offers beyond create, list and delete. */
  capabilities(): Promise<Capabilities>;
}

/** Parts of the API newer than create, list and delete; the page hides what the service does not offer. */
export interface Capabilities {
  readonly rename: boolean;
  readonly activity: boolean;
  readonly restrictions: boolean;
}

/** The service as it was before rename, activity and restrictions: what the page assumes without an OpenAPI document. */
export const BASIC_CAPABILITIES: Capabilities = { rename: false, activity: false, restrictions: false };

/** Builds the client. Nothing it sends or keeps holds a password beyond the call that returns it. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const userPath = (user: string) => `/users/${encodeURIComponent(user)}`;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${await options.getToken()}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers,
        cache: "no-store",
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, { detail: "The service could not be reached. Check your connection." });
    }
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) {
      throw new ApiError(response.status, isObject(json) ? json : { status: response.status });
    }
    return json as T;
  }

  return {
    register: (user) => call("POST", `${userPath(user)}/registration`),
    list: (user) => call("GET", `${userPath(user)}/app-passwords`),
    get: (user, id) => call("GET", `${userPath(user)}/app-passwords/${encodeURIComponent(id)}`),
    create: (user, request) => call("POST", `${userPath(user)}/app-passwords`, request),
    rename: (user, id, name) => call("PATCH", `${userPath(user)}/app-passwords/${encodeURIComponent(id)}`, { name }),
    remove: (user, id) => call("DELETE", `${userPath(user)}/app-passwords/${encodeURIComponent(id)}`),
    removeAll: (user) => call("DELETE", `${userPath(user)}/app-passwords`),
    activity: (user, continuation) =>
      call(
        "GET",
        `${userPath(user)}/activity${
          continuation === undefined ? "" : `?continuation=${encodeURIComponent(continuation)}`
        }`,
      ),
    resetThrottle: (user) => call("DELETE", `${userPath(user)}/throttle`),
    capabilities: async () => {
      let response: Response;
      try {
        response = await doFetch(`${base}/openapi.json`, { cache: "no-store" });
      } catch {
        return BASIC_CAPABILITIES;
      }
      const document = response.ok ? parseJson(await response.text()) : undefined;
      return isObject(document) ? capabilitiesOf(document) : BASIC_CAPABILITIES;
    },
  };
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

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

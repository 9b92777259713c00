import { randomUUID } from "node:crypto";
import path from "node:path";
import { inject } from "vitest";
import { freePort } from "../../dev/azurite";
import type { DevTokenRequest } from "../../dev/devTokenIssuer";
import type { LogLevel } from "../../dev/localHost";
import { startLocalService, type LocalService } from "../../dev/startLocalService";
import type { PasswordHasher } from "../../shared/domain/passwordHasher";
import { createTableAppPasswordStore } from "../../shared/adapters/tableAppPasswordStore";

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies freely
  readonly json: any;
}

export interface TestService extends LocalService {
  readonly url: string;
  readonly logs: { level: LogLevel; message: string }[];
  token(request: DevTokenRequest): Promise<string>;
  call(method: string, route: string, options?: CallOptions): Promise<CallResult>;
  verify(user: string, password: string, extra?: Record<string, unknown>): Promise<CallResult>;
  close(): Promise<void>;
}

/** The mail client address `verify` reports unless a test gives another (`clientIp: undefined` sends none). */
export const DEFAULT_CLIENT_IP = "198.51.100.1";

/** A test table name: its own per service, so test files never see each other's data. */
export const freshTableName = () => `t${randomUUID().replace(/-/g, "").slice(0, 24)}`;

/** The Table Storage store on the test run's Azurite, or through another connection string (a proxy, say). */
export const azuriteStore = (tableName: string, connectionString: string = inject("tableConnectionString")) =>
  createTableAppPasswordStore({ connectionString, tableName }, { timeoutMs: 5000 });

/** Counts argon2 calls while passing them through to the real implementation. */
export function countingHasher(counts: { hash: number; verify: number }) {
  return (inner: PasswordHasher): PasswordHasher => ({
    hash: (password) => {
      counts.hash++;
      return inner.hash(password);
    },
    verify: (phc, password) => {
      counts.verify++;
      return inner.verify(phc, password);
    },
    needsRehash: (phc) => inner.needsRehash(phc),
  });
}

/**
 * The service as `npm start` runs it (local host, function modules, development issuer) against the test
 * run's Azurite, on a free port, with a table of its own.
 */
export async function startTestService(
  options: {
    env?: Record<string, string>;
    wrapHasher?: (hasher: PasswordHasher) => PasswordHasher;
    now?: () => Date;
  } = {},
): Promise<TestService> {
  const logs: { level: LogLevel; message: string }[] = [];
  const port = await freePort();
  const service = await startLocalService({
    port,
    tableConnectionString: inject("tableConnectionString"),
    functionsDir: path.join(__dirname, "..", "..", "functions"),
    env: { APP_PASSWORDS_TABLE_NAME: freshTableName(), ...options.env },
    onLog: (level, message) => logs.push({ level, message }),
    ...(options.wrapHasher && { wrapHasher: options.wrapHasher }),
    ...(options.now && { now: options.now }),
  });
  const url = service.host.url;

  async function call(method: string, route: string, callOptions: CallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = { ...callOptions.headers };
    if (callOptions.token !== undefined) headers.authorization = `Bearer ${callOptions.token}`;
    let body: string | undefined = callOptions.rawBody;
    if (body === undefined && callOptions.body !== undefined) {
      body = JSON.stringify(callOptions.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${url}${route}`, { method, headers, ...(body !== undefined && { body }) });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  return {
    ...service,
    url,
    logs,
    token: (request) => service.issuer.issue(request),
    call,
    verify: (user, password, extra = {}) =>
      call("POST", "/api/verify", {
        body: { user, password, clientIp: DEFAULT_CLIENT_IP, ...extra },
        headers: { "x-functions-key": service.functionKey },
      }),
    close: () => service.host.close(),
  };
}

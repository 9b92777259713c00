import { randomUUID } from "node:crypto";
import path from "node:path";
import { inject } from "vitest";
import { freePort } from "../../dev/azurite";
import type { LogLevel } from "../../dev/localHost";
import { startLocalService, type LocalService } from "../../dev/startLocalService";
import type { PasswordHasher } from "../../shared/domain/passwordHasher";
import { createTableAppPasswordStore } from "../../shared/adapters/tableAppPasswordStore";
import { DEFAULT_CLIENT_IP } from "./constants";
import { parseJson, type CallOptions, type CallResult, type ServiceClient } from "./serviceClient";

/** One request a test sent through `call`, and what it got. */
export interface ExchangedCall {
  readonly method: string;
  readonly route: string;
  readonly response: CallResult;
}

/** The service behind the local host, called over HTTP: for end-to-end tests. */
export interface TestService extends LocalService, ServiceClient {
  readonly url: string;
  /** Every call made so far, in order: for checking the answers against the OpenAPI document. */
  readonly calls: ExchangedCall[];
  readonly logs: { level: LogLevel; message: string }[];
  close(): Promise<void>;
}

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
    /** A built self-service page to serve at `/`. */
    portalDir?: string;
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
    ...(options.portalDir !== undefined && { portalDir: options.portalDir }),
  });
  const url = service.host.url;

  const calls: ExchangedCall[] = [];

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
    const result = { status: response.status, headers: response.headers, text, json: parseJson(text) };
    calls.push({ method, route, response: result });
    return result;
  }

  return {
    ...service,
    url,
    logs,
    calls,
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

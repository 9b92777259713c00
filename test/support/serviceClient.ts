import type { DevTokenRequest } from "../../dev/devTokenIssuer";
import type { Config } from "../../shared/adapters/config";

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

/**
 * What the test helpers need of a service under test, whether its functions are called in process
 * (`startFunctionHarness`) or over HTTP through the local host (`startTestService`).
 */
export interface ServiceClient {
  readonly config: Config;
  readonly functionKey: string;
  /** A development access token the service trusts. */
  token(request: DevTokenRequest): Promise<string>;
  call(method: string, route: string, options?: CallOptions): Promise<CallResult>;
  /** `POST /api/verify` with the function key. */
  verify(user: string, password: string, extra?: Record<string, unknown>): Promise<CallResult>;
}

/** A response body as the tests read it: JSON when it parses, else undefined. */
export function parseJson(text: string): unknown {
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

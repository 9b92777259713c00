import { request as httpRequest } from "node:http";
import { parseJson, type CallResult } from "./serviceClient";
import type { TestService } from "./testService";

export interface RawRequestOptions {
  /** Sent as `authorization: Bearer <token>`, over any `authorization` in `headers`. */
  readonly token?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Sends the body with chunked transfer encoding, without a Content-Length. */
  readonly chunked?: boolean;
}

/**
 * Sends a request with its path exactly as given: no client-side normalization of dot segments or
 * percent-encodings (unlike `fetch`), and any body on any method.
 */
export function rawRequest(
  service: TestService,
  method: string,
  path: string,
  options: RawRequestOptions = {},
): Promise<CallResult> {
  const url = new URL(service.url);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined && !options.chunked) {
    headers["content-length"] = String(Buffer.byteLength(options.body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("error", reject);
      incoming.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
        resolve({ status: incoming.statusCode ?? 0, headers: responseHeaders, text, json: parseJson(text) });
      });
    });
    outgoing.on("error", reject);
    if (options.body !== undefined && options.chunked) {
      // Two writes, so the body really goes out in more than one chunk.
      const body = Buffer.from(options.body);
      const half = Math.floor(body.length / 2);
      outgoing.write(body.subarray(0, half));
      outgoing.end(body.subarray(half));
    } else {
      outgoing.end(options.body);
    }
  });
}

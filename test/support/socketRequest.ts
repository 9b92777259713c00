import { connect } from "node:net";
import { parseJson, type CallResult } from "./serviceClient";

/** What came back on a raw connection: the answer, if any, once the server closed the connection. */
export interface SocketAnswer {
  /** The answer parsed, or undefined when the server closed the connection without one. */
  readonly answer: CallResult | undefined;
  readonly raw: string;
}

/**
 * Writes `bytes` to a fresh TCP connection to `url` exactly as given: a request line with raw UTF-8 or a
 * space in it, a request cut short, what no HTTP client sends. The client never closes its side, so only
 * the server can end the exchange; resolves when it does.
 */
export function socketRequest(url: string, bytes: string | Buffer): Promise<SocketAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(bytes));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      resolve({ answer: parseAnswer(raw), raw });
    });
  });
}

/** One HTTP/1.1 answer (the first, if more), as the other request helpers give it. */
function parseAnswer(raw: string): CallResult | undefined {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine = "", ...lines] = raw.slice(0, end).split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  if (status === undefined) return undefined;
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const length = Number(headers.get("content-length") ?? Buffer.byteLength(raw) - end - 4);
  const text = Buffer.from(raw.slice(end + 4), "utf8")
    .subarray(0, length)
    .toString("utf8");
  return { status: Number(status), headers, text, json: parseJson(text) };
}

import { once } from "node:events";
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request that went through the proxy: method and path, query left out. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
}

export interface CountingProxy {
  /** The Azurite connection string, with the table endpoint pointed at the proxy. */
  readonly connectionString: string;
  /** Every request forwarded since the last `reset()`. */
  readonly requests: readonly ProxiedRequest[];
  reset(): void;
  close(): Promise<void>;
}

export interface CountingProxyOptions {
  /** Runs before a request is forwarded, which waits for it: to change storage between two requests. */
  readonly beforeForward?: (request: ProxiedRequest) => Promise<void>;
}

/**
 * A loopback HTTP proxy in front of Azurite's table endpoint that records every request it forwards, so a
 * test can count what one service call costs in Table Storage requests.
 */
export async function startCountingProxy(
  azuriteConnectionString: string,
  options: CountingProxyOptions = {},
): Promise<CountingProxy> {
  const endpoint = /TableEndpoint=(http:\/\/[^;]+)/.exec(azuriteConnectionString)?.[1];
  if (endpoint === undefined) throw new Error("no TableEndpoint in the connection string");
  const target = new URL(endpoint);
  let requests: ProxiedRequest[] = [];

  const server = createServer((incoming, outgoing) => {
    const seen = { method: incoming.method ?? "", path: (incoming.url ?? "").split("?")[0] ?? "" };
    requests.push(seen);
    void (options.beforeForward?.(seen) ?? Promise.resolve()).then(
      () => forward(incoming, outgoing),
      () => {
        // A hook that failed: the request fails too, so the test sees it.
        outgoing.statusCode = 502;
        outgoing.end();
      },
    );
  });

  function forward(incoming: IncomingMessage, outgoing: ServerResponse) {
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", () => {
      outgoing.statusCode = 502;
      outgoing.end();
    });
    incoming.pipe(forwarded);
  }

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const proxied = `http://127.0.0.1:${port}${target.pathname}`;

  return {
    connectionString: azuriteConnectionString.replace(endpoint, proxied.replace(/\/$/, "")),
    get requests() {
      return requests;
    },
    reset() {
      requests = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

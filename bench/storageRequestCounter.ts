import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { ClientRequest } from "node:http";

export interface StorageRequestCounter {
  /** Requests sent to the table service since the counter started. */
  readonly count: number;
  close(): void;
}

const CHANNEL = "http.client.request.start";

/**
 * Counts the HTTP requests this process sends to the table service on `port`, through node's built-in
 * `http.client.request.start` diagnostics channel (the Azure SDK uses `node:http`). The bench's own calls
 * to the service go to another port and are not counted. It costs the timings nothing.
 */
export function countStorageRequests(port: number): StorageRequestCounter {
  let count = 0;
  const host = `127.0.0.1:${port}`;
  const onRequest = (message: unknown) => {
    const request = (message as { request?: unknown }).request;
    if (request instanceof ClientRequest && request.getHeader("host") === host) count++;
  };
  subscribe(CHANNEL, onRequest);
  return {
    get count() {
      return count;
    },
    close: () => unsubscribe(CHANNEL, onRequest),
  };
}

import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { request } from "node:http";
import { createServer } from "node:https";
import { makeTestCertificate } from "./testCertificate";

export interface RunningTlsProxy {
  /** `https://localhost:<port>`, whose certificate only `caFile` trusts. */
  readonly url: string;
  /** The PEM file of the test CA that signed the proxy's certificate. */
  readonly caFile: string;
  stop(): Promise<void>;
}

/**
 * An https front for `target` (an http origin on loopback) on a free port, as Azure's front end is for the
 * function app: a certificate for `localhost` from a CA made for this run (`makeTestCertificate`).
 */
export async function startTlsProxy(target: string): Promise<RunningTlsProxy> {
  const certificate = await makeTestCertificate();
  const targetUrl = new URL(target);
  const server = createServer(
    { key: await readFile(certificate.keyFile), cert: await readFile(certificate.certFile) },
    (incoming, outgoing) => {
      const forwarded = request(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on("error", () => outgoing.writeHead(502).end());
      incoming.pipe(forwarded);
    },
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the TLS proxy has no port");
  return {
    url: `https://localhost:${address.port}`,
    caFile: certificate.caFile,
    async stop() {
      server.closeAllConnections();
      server.close();
      await certificate.remove();
    },
  };
}

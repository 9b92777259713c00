import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { createServer } from "node:https";
import os from "node:os";
import path from "node:path";

export interface RunningTlsProxy {
  /** `https://localhost:<port>`, whose certificate only `caFile` trusts. */
  readonly url: string;
  /** The PEM file of the test CA that signed the proxy's certificate. */
  readonly caFile: string;
  stop(): Promise<void>;
}

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: "pipe" });

/**
 * An https front for `target` (an http origin on loopback) on a free port, as Azure's front end is for the
 * function app: a certificate for `localhost` from a CA made for this run (with the `openssl` command).
 */
export async function startTlsProxy(target: string): Promise<RunningTlsProxy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tls-proxy-"));
  openssl(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2"]
      .concat(["-subj", "/CN=app-passwords test CA", "-addext", "basicConstraints=critical,CA:TRUE"])
      .concat(["-addext", "keyUsage=critical,keyCertSign"]),
    dir,
  );
  openssl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
    dir,
  );
  await writeFile(path.join(dir, "server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"].concat([
      "-out",
      "server.pem",
      "-days",
      "2",
      "-extfile",
      "server.ext",
    ]),
    dir,
  );
  const targetUrl = new URL(target);
  const server = createServer(
    { key: await readFile(path.join(dir, "server.key")), cert: await readFile(path.join(dir, "server.pem")) },
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
    caFile: path.join(dir, "ca.pem"),
    async stop() {
      server.closeAllConnections();
      server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

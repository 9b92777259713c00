import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** A server certificate for `localhost` and `127.0.0.1`, signed by a CA made for one test run. */
export interface TestCertificate {
  /** The PEM file of the CA: what a client trusts. */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Deletes the folder the files are in. */
  remove(): Promise<void>;
}

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: "pipe" });

/** Makes the CA and the certificate, in a temporary folder of their own, with the `openssl` command. */
export async function makeTestCertificate(): Promise<TestCertificate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mail-certificate-"));
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
  return {
    caFile: path.join(dir, "ca.pem"),
    certFile: path.join(dir, "server.pem"),
    keyFile: path.join(dir, "server.key"),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

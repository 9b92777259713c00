import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../../dev/azurite";
import { guideCommands, runGuideCommands } from "./guideCommands";
import type { TestCertificate } from "./testCertificate";

export interface PreparedPostfix {
  /** Postfix's queue folder (`/var/spool/postfix` on a host): Dovecot's SASL socket goes in its `private/`. */
  readonly queueDir: string;
  /** The SMTP port (Postfix's `smtpd`, AUTH after STARTTLS), on 127.0.0.1. */
  readonly port: number;
  /** Starts Postfix, once Dovecot's SASL socket is in place. */
  start(): Promise<void>;
  /** Everything Postfix logged so far (its `maillog_file`). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** Whether Postfix can be run here, or why not (printed by the test that skips). */
export function postfixUnavailable(): string | undefined {
  if (!existsSync("/usr/sbin/postfix")) {
    return 'Postfix is not installed (as root: apt-get install postfix, with debconf\'s "No configuration")';
  }
  if (os.userInfo().uid !== 0) return "Postfix runs its daemons as the postfix user: only root can start it";
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function greets(port: number): Promise<boolean> {
  const socket = connect(port, "127.0.0.1");
  try {
    return await new Promise<boolean>((resolve) => {
      socket.once("data", (chunk: Buffer) => resolve(/^220 /.test(chunk.toString())));
      socket.once("error", () => resolve(false));
      socket.once("close", () => resolve(false));
    });
  } finally {
    socket.destroy();
  }
}

/**
 * A real Postfix (Debian's package) run from a temporary folder of its own (`postfix -c DIR`), never the
 * host's `/etc/postfix` or `/var/spool/postfix`: its own `main.cf` and `master.cf`, queue and data folders
 * there, one `smtpd` on a free loopback port, mail it accepts discarded. The base `main.cf` stands in for
 * Debian's "Internet Site" one (TLS with `certificate`, relay for loopback and SASL clients); the guide's
 * `postconf` commands then add Dovecot SASL to it, as a mail admin runs them.
 */
export async function preparePostfix(certificate: TestCertificate): Promise<PreparedPostfix> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "postfix-"));
  await chmod(dir, 0o755);
  const queueDir = path.join(dir, "spool");
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "postfix.log");
  await mkdir(queueDir);
  await mkdir(dataDir);
  await chown(dataDir, Number(execFileSync("id", ["-u", "postfix"], { encoding: "utf8" })), 0);
  const port = await freePort();
  await writeFile(
    path.join(dir, "main.cf"),
    `# Written by test/gateways/dovecot/startPostfix.ts for one test run.
compatibility_level = 3.6
queue_directory = ${queueDir}
data_directory = ${dataDir}
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = localhost
mydestination =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_cert_file = ${certificate.certFile}
smtpd_tls_key_file = ${certificate.keyFile}
smtpd_tls_security_level = may
default_transport = discard
relay_transport = discard
maillog_file_prefixes = ${dir}
maillog_file = ${logFile}
`,
  );
  await writeFile(
    path.join(dir, "master.cf"),
    `# Written by test/gateways/dovecot/startPostfix.ts: no chroot, one smtpd on loopback, mail discarded.
127.0.0.1:${port} inet n - n - - smtpd
postlog   unix-dgram n - n - 1 postlogd
proxymap  unix - - n - - proxymap
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
tlsmgr    unix - - n 1000? 1 tlsmgr
`,
  );
  const postfix = (...args: string[]) => execFileSync("postfix", ["-c", dir, ...args], { stdio: "pipe" });
  // Makes the queue's folders (post-install create-missing) with the owners Postfix wants.
  postfix("check");
  runGuideCommands(
    guideCommands("Postfix SMTP AUTH through Dovecot SASL").filter((command) => command.startsWith("sudo postconf ")),
    { "postconf ": `postconf -c ${dir} ` },
  );
  const log = () => readFile(logFile, "utf8").catch(() => "");

  let child: ChildProcess | undefined;
  let exited: Promise<unknown> | undefined;
  return {
    queueDir,
    port,
    log,
    async start() {
      child = spawn("postfix", ["-c", dir, "start-fg"], { stdio: "ignore" });
      exited = once(child, "exit");
      for (let attempt = 0; !(await greets(port)); attempt++) {
        if (child.exitCode !== null || attempt === 300) throw new Error(`Postfix did not start:\n${await log()}`);
        await sleep(100);
      }
    },
    async stop() {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          postfix("stop");
        } catch {
          child.kill("SIGTERM");
        }
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

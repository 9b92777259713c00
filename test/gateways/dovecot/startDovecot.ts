import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { chmod, chown, copyFile, lstat, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../../dev/azurite";
import { guideCommands, runGuideCommands } from "./guideCommands";
import type { TestCertificate } from "./testCertificate";

const ACTIVESYNC_DIR = path.join(__dirname, "..", "..", "..", "gateways", "activesync");
const EAS_SNIPPET = "96-app-passwords-eas.conf";
const PACKAGES = "dovecot-imapd dovecot-submissiond dovecot-auth-lua lua-cjson openssl";

export interface DovecotOptions {
  /** The verify endpoint, `http://127.0.0.1:<port>/api/verify`. */
  readonly verifyUrl: string;
  readonly functionKey: string;
  /** The certificate Dovecot presents on its TLS ports (what the guide's step 5 puts in `private/`). */
  readonly certificate: TestCertificate;
  readonly timeoutMs?: number;
  /** The CA that Dovecot's HTTP client trusts for an https `verifyUrl` (Dovecot's `ssl_client_ca_file`). */
  readonly sslClientCaFile?: string;
  /**
   * Dovecot's auth cache on (`auth_cache_size`, `auth_cache_ttl` an hour), as the guide allows it: the snippet's
   * `cache_key` (or another; empty: none) and `auth_cache_negative_ttl = 0` (or another).
   */
  readonly authCache?: { readonly cacheKey?: string; readonly negativeTtl?: string };
  /** The queue folder of a test Postfix: the guide's Postfix steps put Dovecot's SASL socket there. */
  readonly postfixQueueDir?: string;
  /** Where Dovecot's submission service relays the mail it accepts (a test Postfix); else nowhere. */
  readonly submissionRelayPort?: number;
  /** The ActiveSync guide's EAS-only IMAP listener (`gateways/activesync/README.md`), on a free port. */
  readonly activeSync?: boolean;
}

export interface RunningDovecot {
  readonly imapPort: number;
  /** IMAP over TLS from the first byte (Debian's `imaps` listener). */
  readonly imapsPort: number;
  readonly submissionPort: number;
  /** The EAS-only IMAP listener, given `activeSync` (else 0). */
  readonly easPort: number;
  /** The mail folder of the guide's step 4 (`/var/vmail` on a host). */
  readonly vmailDir: string;
  /** Everything Dovecot logged so far. */
  log(): Promise<string>;
  /** Waits until the log has a line matching `pattern` (Dovecot's processes write it a moment after the reply). */
  waitForLog(pattern: RegExp): Promise<string>;
  stop(): Promise<void>;
}

function dovecotBinary(): string {
  const binary = "/usr/sbin/dovecot";
  if (!existsSync(binary) || !existsSync("/usr/lib/dovecot/modules/auth/libauthdb_lua.so")) {
    throw new Error(`Dovecot with its Lua passdb is not installed: sudo apt-get install ${PACKAGES}`);
  }
  const version = execFileSync(binary, ["--version"], { encoding: "utf8" });
  if (!version.startsWith("2.3.")) {
    throw new Error(`the gateway test installs the guide's Dovecot 2.3 snippet; found Dovecot ${version.trim()}`);
  }
  // The guide's steps give files to root, the dovecot group and Debian's mail user, as on a mail server.
  if (os.userInfo().uid !== 0)
    throw new Error("the gateway test installs the guide's files as root does: run it as root");
  return binary;
}

/** Replaces each system path of `moved` by its copy in every regular file under `dir` (symbolic links stay). */
async function movePaths(dir: string, moved: Record<string, string>): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true })) {
    const file = path.join(dir, entry);
    if (!(await lstat(file)).isFile()) continue;
    const text = await readFile(file, "utf8");
    let local = text;
    for (const [from, to] of Object.entries(moved)) local = local.split(from).join(to);
    if (local !== text) await writeFile(file, local);
  }
}

/**
 * What only a test run needs, and no mail server has: its own folders and instance name, loopback ports, no
 * delay after failed logins (the test makes dozens on purpose), and the test's address trusted as a front
 * proxy's. Debian's `dovecot.conf` ends with `!include_try local.conf`, so this comes after everything else.
 */
function testOnlySettings(
  dir: string,
  ports: { imap: number; imaps: number; submission: number },
  options: DovecotOptions,
): string {
  const cache =
    options.authCache === undefined
      ? ""
      : `auth_cache_size = 1M\nauth_cache_ttl = 1 hour\nauth_cache_negative_ttl = ${options.authCache.negativeTtl ?? "0"}\n`;
  return `# Written by test/gateways/dovecot/startDovecot.ts for one test run: the rest is Debian's and the guide's.
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = app-passwords-test-${path.basename(dir)}
listen = 127.0.0.1
hostname = localhost
login_trusted_networks = 127.0.0.0/8
auth_failure_delay = 0
${cache}${options.sslClientCaFile === undefined ? "" : `ssl_client_ca_file = ${options.sslClientCaFile}\n`}submission_relay_host = 127.0.0.1
submission_relay_port = ${options.submissionRelayPort ?? 9}
service imap-login {
  inet_listener imap {
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = ${ports.imaps}
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = ${ports.submission}
  }
}
# Dovecot's own penalty delays failed logins from one address by up to 15 s each; the lockout tests make ten.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

/** The group id of a system group (made by the Debian packages). */
function groupId(name: string): number {
  return Number(execFileSync("getent", ["group", name], { encoding: "utf8" }).split(":")[2]);
}

/** The user id of a system user. */
function userId(name: string): number {
  return Number(execFileSync("getent", ["passwd", name], { encoding: "utf8" }).split(":")[2]);
}

/**
 * Whether the server on the port greets as ready (`ready` matches its first line): a listener being up is not
 * enough, as Dovecot's login processes answer "* BYE" or wait while the auth process is not there yet.
 */
async function greets(port: number, ready: RegExp): Promise<boolean> {
  const socket = connect(port, "127.0.0.1");
  try {
    return await new Promise<boolean>((resolve) => {
      socket.once("data", (chunk: Buffer) => resolve(ready.test(chunk.toString())));
      socket.once("error", () => resolve(false));
      socket.once("close", () => resolve(false));
    });
  } finally {
    socket.destroy();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real Dovecot (Debian's packages) built the way the guide (`gateways/dovecot/README.md`) tells a mail admin
 * to: a copy of Debian's stock `/etc/dovecot` in a temporary folder, the guide's Install commands run on it
 * (and its Postfix commands, given `postfixQueueDir`), the settings and key filled in, the certificate in
 * place; plus `local.conf` for what only a test needs (folders, loopback ports). Serves IMAP, IMAPS and
 * submission with the shipped Lua passdb pointed at `verifyUrl`.
 */
export async function startDovecot(options: DovecotOptions): Promise<RunningDovecot> {
  const binary = dovecotBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), "dovecot-"));
  // Dovecot's unprivileged processes and the mail user must reach their folders inside it.
  await chmod(dir, 0o755);
  const etc = path.join(dir, "etc", "dovecot");
  execFileSync("mkdir", [path.join(dir, "etc")]);
  execFileSync("cp", ["-a", "/etc/dovecot", etc]);
  const vmailDir = path.join(dir, "vmail");
  const moved: Record<string, string> = {
    "/etc/dovecot": etc,
    "/var/vmail": vmailDir,
    ...(options.postfixQueueDir !== undefined && { "/var/spool/postfix": options.postfixQueueDir }),
  };
  runGuideCommands(guideCommands("Install"), moved);
  if (options.postfixQueueDir !== undefined) {
    runGuideCommands(
      guideCommands("Postfix SMTP AUTH through Dovecot SASL").filter((command) => !command.includes("postconf")),
      moved,
    );
  }
  // Debian's files and the guide's name system paths (10-ssl.conf, the snippet, the settings): point them at
  // the copies.
  await movePaths(etc, moved);

  // Step 1's sudoedit: the URL and timeout of this run.
  const settingsFile = path.join(etc, "app-passwords", "app-passwords.settings");
  const settings = (await readFile(settingsFile, "utf8"))
    .replace(/^url = .*$/m, `url = ${options.verifyUrl}`)
    .replace(/^timeout_ms = .*$/m, `timeout_ms = ${options.timeoutMs ?? 10000}`);
  await writeFile(settingsFile, settings);
  // Step 2: the key, as `umask 077; cat > …` writes it.
  const keyFile = path.join(etc, "private", "app-passwords.key");
  await writeFile(keyFile, `${options.functionKey}\n`, { mode: 0o600 });
  // Step 5: the certificate where Debian's 10-ssl.conf expects it (in place of the snakeoil links).
  for (const [name, source] of [
    ["dovecot.pem", options.certificate.certFile],
    ["dovecot.key", options.certificate.keyFile],
  ] as const) {
    await rm(path.join(etc, "private", name), { force: true });
    await copyFile(source, path.join(etc, "private", name));
  }
  await chmod(path.join(etc, "private", "dovecot.key"), 0o600);

  if (options.authCache?.cacheKey !== undefined) {
    const snippet = path.join(etc, "conf.d", "auth-app-passwords.conf.ext");
    const text = await readFile(snippet, "utf8");
    await writeFile(
      snippet,
      text.replace(/ cache_key=\S+/, options.authCache.cacheKey ? ` cache_key=${options.authCache.cacheKey}` : ""),
    );
  }

  const [imapPort, imapsPort, submissionPort] = [await freePort(), await freePort(), await freePort()];
  const easPort = options.activeSync === true ? await freePort() : 0;
  if (options.activeSync === true) {
    // The ActiveSync guide's steps: its listener in conf.d, its port in the passdb's settings.
    const snippet = await readFile(path.join(ACTIVESYNC_DIR, EAS_SNIPPET), "utf8");
    await writeFile(path.join(etc, "conf.d", EAS_SNIPPET), snippet.replace(/port = 10143/, `port = ${easPort}`));
    const withPort = (await readFile(settingsFile, "utf8")).replace(
      /^eas_local_ports =.*$/m,
      `eas_local_ports = ${easPort}`,
    );
    await writeFile(settingsFile, withPort);
  }
  await writeFile(
    path.join(etc, "local.conf"),
    testOnlySettings(dir, { imap: imapPort, imaps: imapsPort, submission: submissionPort }, options),
  );
  // The guide's step 4 made the mail folder for Debian's mail user; check that it did.
  if ((await lstat(vmailDir)).uid !== userId("mail")) throw new Error("the guide's steps did not make the mail folder");
  if ((await lstat(path.join(etc, "app-passwords", "app-passwords.settings"))).gid !== groupId("dovecot")) {
    throw new Error("the guide's steps did not give the settings to the dovecot group");
  }
  await chown(keyFile, 0, 0);

  const configFile = path.join(etc, "dovecot.conf");
  const logFile = path.join(dir, "dovecot.log");
  const log = () => readFile(logFile, "utf8").catch(() => "");

  const child = spawn(binary, ["-F", "-c", configFile], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");

  async function stop(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGTERM makes the master stop every process it started before it exits itself.
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  }

  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null || attempt === 300) {
      const why = `Dovecot did not start:\n${output}\n${await log()}`;
      await stop();
      throw new Error(why);
    }
    if ((await greets(imapPort, /^\* OK \[CAPABILITY/)) && (await greets(submissionPort, /^220 /))) break;
    await sleep(100);
  }

  return {
    imapPort,
    imapsPort,
    submissionPort,
    easPort,
    vmailDir,
    log,
    async waitForLog(pattern) {
      for (let attempt = 0; attempt < 100; attempt++) {
        const text = await log();
        const line = text.split("\n").find((candidate) => pattern.test(candidate));
        if (line !== undefined) return line;
        await sleep(100);
      }
      throw new Error(`no line matching ${pattern} in Dovecot's log:\n${await log()}`);
    },
    stop,
  };
}

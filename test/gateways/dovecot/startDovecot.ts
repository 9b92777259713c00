import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../../dev/azurite";

/** The passdb script as shipped, copied into each test Dovecot's folder the way a mail admin installs it. */
const PASSDB_SCRIPT = path.join(__dirname, "..", "..", "..", "gateways", "dovecot", "app-passwords.lua");
const PACKAGES = "dovecot-imapd dovecot-submissiond dovecot-auth-lua lua-cjson openssl";

export interface DovecotOptions {
  /** The verify endpoint, `http://127.0.0.1:<port>/api/verify`. */
  readonly verifyUrl: string;
  readonly functionKey: string;
  readonly timeoutMs?: number;
  /** The CA that Dovecot's HTTP client trusts for an https `verifyUrl` (Dovecot's `ssl_client_ca_file`). */
  readonly sslClientCaFile?: string;
}

export interface RunningDovecot {
  readonly imapPort: number;
  readonly submissionPort: number;
  /** Everything Dovecot logged so far. */
  log(): Promise<string>;
  /** Waits until the log has a line matching `pattern` (Dovecot's processes write it a moment after the reply). */
  waitForLog(pattern: RegExp): Promise<string>;
  stop(): Promise<void>;
}

function dovecotBinary(): string {
  const binary = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"].find((candidate) => existsSync(candidate));
  const lua = ["/usr/lib/dovecot/modules/auth/libauthdb_lua.so"].some((candidate) => existsSync(candidate));
  if (binary === undefined || !lua) {
    throw new Error(`Dovecot with its Lua passdb is not installed: sudo apt-get install ${PACKAGES}`);
  }
  const version = execFileSync(binary, ["--version"], { encoding: "utf8" });
  if (!version.startsWith("2.3.")) {
    throw new Error(`the gateway test writes a Dovecot 2.3 configuration; found Dovecot ${version.trim()}`);
  }
  return binary;
}

/** The mail user Dovecot runs mail processes as: this user, or nobody when that is root (Dovecot refuses root). */
function mailOwner(): { uid: number; gid: number } {
  const { uid, gid } = os.userInfo();
  return uid === 0 ? { uid: 65534, gid: 65534 } : { uid, gid };
}

function dovecotConfig(
  dir: string,
  ports: { imap: number; submission: number; relay: number },
  sslClientCaFile: string | undefined,
): string {
  const { uid, gid } = mailOwner();
  const me = os.userInfo();
  // As root, Dovecot's own unprivileged users (made by the Debian package) run the login and auth processes,
  // and the auth-worker that runs the passdb stays root, as installed; as anyone else, everything runs as
  // that user, so a developer needs no root to run the test.
  const asMe = me.uid !== 0;
  const users = asMe
    ? `default_internal_user = ${me.username}\ndefault_internal_group = ${groupName()}\ndefault_login_user = ${me.username}\n`
    : "";
  // Only root can chroot, which the login processes and anvil do by default.
  const chroot = asMe ? "  chroot =\n" : "";
  return `# Written by test/gateways/dovecot/startDovecot.ts for one test run.
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = app-passwords-test-${path.basename(dir)}
${users}protocols = imap submission
listen = 127.0.0.1
ssl = no
${sslClientCaFile === undefined ? "" : `ssl_client_ca_file = ${sslClientCaFile}\n`}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
# Dovecot waits 2 s before every failed login; the test makes a dozen on purpose.
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
hostname = localhost
first_valid_uid = ${uid}
mail_location = maildir:${dir}/mail/%u
submission_relay_host = 127.0.0.1
submission_relay_port = ${ports.relay}

passdb {
  driver = lua
  args = file=${dir}/app-passwords.lua
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%u
}

service imap-login {
${chroot}  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = 0
  }
}
# Dovecot's own penalty delays failed logins from one address by up to 15 s each; the lockout test makes ten.
service anvil {
${chroot}  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service submission-login {
${chroot}  inet_listener submission {
    address = 127.0.0.1
    port = ${ports.submission}
  }
}
`;
}

/** The name of this process's group. */
function groupName(): string {
  return execFileSync("id", ["-gn"], { encoding: "utf8" }).trim();
}

/** The group of Dovecot's unprivileged internal user (made by the Debian package), which runs the auth process. */
function dovecotGroupId(): number {
  const entry = execFileSync("getent", ["group", "dovecot"], { encoding: "utf8" });
  return Number(entry.split(":")[2]);
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
 * A real Dovecot (Debian's packages) in a temporary folder, on free loopback ports, serving IMAP and
 * submission with the shipped Lua passdb pointed at `verifyUrl`, and a static userdb with maildirs there.
 */
export async function startDovecot(options: DovecotOptions): Promise<RunningDovecot> {
  const binary = dovecotBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), "dovecot-"));
  const { uid, gid } = mailOwner();
  // The mail processes run as the mail owner and must reach their maildirs inside the folder.
  await chmod(dir, 0o755);
  await mkdir(path.join(dir, "mail"));
  await chmod(path.join(dir, "mail"), 0o755);
  await chown(path.join(dir, "mail"), uid, gid);
  await copyFile(PASSDB_SCRIPT, path.join(dir, "app-passwords.lua"));
  await writeFile(path.join(dir, "function-key"), `${options.functionKey}\n`, { mode: 0o600 });
  // As the README installs them: the key for root alone (the auth-worker), the settings for root and
  // Dovecot's auth process, which loads the script too.
  const settings = path.join(dir, "app-passwords.settings");
  await writeFile(
    settings,
    `url = ${options.verifyUrl}\nfunction_key_file = ${dir}/function-key\ntimeout_ms = ${options.timeoutMs ?? 10000}\n`,
    { mode: 0o640 },
  );
  if (os.userInfo().uid === 0) await chown(settings, 0, dovecotGroupId());
  const [imapPort, submissionPort, relayPort] = [await freePort(), await freePort(), await freePort()];
  const configFile = path.join(dir, "dovecot.conf");
  await writeFile(
    configFile,
    dovecotConfig(dir, { imap: imapPort, submission: submissionPort, relay: relayPort }, options.sslClientCaFile),
  );
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
    submissionPort,
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

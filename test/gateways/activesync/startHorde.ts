import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../../dev/azurite";

const RECIPE_DIR = path.join(__dirname, "..", "..", "..", "gateways", "activesync");
const RECIPE_FILES = ["activesync.php", "AppPasswordsDriver.php", "AppPasswordsImapClient.php"];
const PACKAGES = "php-cli php-sqlite3 php-horde-activesync php-horde-db php-horde-controller";

export interface RunningHorde {
  /** `http://127.0.0.1:<port>/Microsoft-Server-ActiveSync`. */
  readonly url: string;
  /** Everything PHP's web server wrote. */
  output(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Horde's ActiveSync server (Debian's php-horde-activesync) as the guide installs it: the recipe's entry
 * script and driver in a temporary folder, its settings from the example with Dovecot's EAS-only IMAP port and
 * an SQLite state file there, served by PHP's built-in web server on a free loopback port (in place of the
 * guide's web server).
 */
export async function startHorde(imapPort: number): Promise<RunningHorde> {
  if (!existsSync("/usr/bin/php") || !existsSync("/usr/share/php/Horde/ActiveSync.php")) {
    throw new Error(
      `Horde's ActiveSync server is not installed: sudo apt-get install --no-install-recommends ${PACKAGES}`,
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "horde-activesync-"));
  for (const file of RECIPE_FILES) await copyFile(path.join(RECIPE_DIR, file), path.join(dir, file));
  const settings = (await readFile(path.join(RECIPE_DIR, "activesync.settings.php.example"), "utf8"))
    .replace(/'imap_port' => \d+/, `'imap_port' => ${imapPort}`)
    .replace(/'state_database' => '[^']*'/, `'state_database' => '${path.join(dir, "state.sqlite")}'`);
  await writeFile(path.join(dir, "activesync.settings.php"), settings);

  const port = await freePort();
  const child = spawn("php", ["-S", `127.0.0.1:${port}`, "-t", dir, path.join(dir, "activesync.php")], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");
  async function stop(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }

  const url = `http://127.0.0.1:${port}/Microsoft-Server-ActiveSync`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || attempt === 100) {
      const why = `PHP's web server did not start:\n${output}`;
      await stop();
      throw new Error(why);
    }
    // Without credentials, Horde answers 401: the server is up.
    const answered = await fetch(url, { method: "OPTIONS" }).then(
      (response) => response.status,
      () => 0,
    );
    if (answered === 401) break;
    await sleep(100);
  }
  return { url, output: () => output, stop };
}

/** A FolderSync request with SyncKey 0 (a new device's first), in WBXML: what a phone sends first. */
export const FOLDER_SYNC_REQUEST = Buffer.from([
  // WBXML 1.3, unknown public id, UTF-8, no string table.
  0x03, 0x01, 0x6a, 0x00,
  // Code page 7 (FolderHierarchy); FolderSync (0x16) and SyncKey (0x12) with content; "0"; end; end.
  0x00, 0x07, 0x56, 0x52, 0x03, 0x30, 0x00, 0x01, 0x01,
]);

export interface EasAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** An ActiveSync request as a phone sends it: Basic credentials, protocol 14.1, a device id. */
export async function easRequest(
  url: string,
  command: "Options" | "FolderSync",
  user: string,
  password: string,
  options: { deviceId?: string; forwardedFor?: string } = {},
): Promise<EasAnswer> {
  const query = new URLSearchParams({
    Cmd: command,
    User: user,
    DeviceId: options.deviceId ?? "APPPWTEST0001",
    DeviceType: "iPhone",
  });
  const response = await fetch(command === "Options" ? url : `${url}?${query.toString()}`, {
    method: command === "Options" ? "OPTIONS" : "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
      "ms-asprotocolversion": "14.1",
      "user-agent": "Apple-iPhone/1705.56",
      ...(command === "FolderSync" && { "content-type": "application/vnd.ms-sync.wbxml" }),
      ...(options.forwardedFor !== undefined && { "x-forwarded-for": options.forwardedFor }),
    },
    ...(command === "FolderSync" && { body: FOLDER_SYNC_REQUEST }),
  });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

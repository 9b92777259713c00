import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../dev/azurite";
import { startSmtpSink } from "../support/smtpSink";

/**
 * `npm start` as a user runs it: the compiled `dev/start.js` under a shell, as npm's `npm run build && node
 * dist/dev/start.js` does. Built once into a folder of its own inside the repository (so `node_modules`
 * resolves and `.azurite/` lands there, not in the developer's data), and removed afterwards.
 */
const repo = path.resolve(__dirname, "..", "..");
const buildRoot = path.join(repo, ".test-build", randomUUID());
const startScript = path.join(buildRoot, "dist", "dev", "start.js");

/** Runs `node start.js` the way npm's shell does, reporting node's pid first. */
function startUnderShell(env: Record<string, string>): { shell: ChildProcess; output: () => string } {
  const shell = spawn("sh", ["-c", `node "${startScript}" & echo "pid $!"; wait`], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  shell.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  shell.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { shell, output: () => output };
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const isListening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Polls until `condition` holds or `attempts` polls (half a second apart) have passed; whether it held. */
async function eventually(condition: () => boolean | Promise<boolean>, attempts = 240): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return true;
    await sleep(500);
  }
  return false;
}

describe("npm start (dev/start.ts)", () => {
  beforeAll(() => {
    const built = spawnSync(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", path.join(buildRoot, "dist")],
      { cwd: repo, encoding: "utf8" },
    );
    expect(built.status, built.stdout + built.stderr).toBe(0);
  }, 600_000);
  afterAll(() => rmSync(buildRoot, { recursive: true, force: true }));

  it("stops the service and Azurite when the shell npm runs it under is terminated, as Ctrl-C does", async () => {
    const [port, azuritePort] = [await freePort(), await freePort()];
    const { shell, output } = startUnderShell({ PORT: String(port), AZURITE_TABLE_PORT: String(azuritePort) });
    let nodePid: number | undefined;
    try {
      expect(await eventually(() => output().includes("App passwords service running"))).toBe(true);
      nodePid = Number(/pid (\d+)/.exec(output())?.[1]);
      expect(await isListening(port)).toBe(true);
      expect(await isListening(azuritePort)).toBe(true);

      // What `kill -TERM <npm>` leads to: npm passes it to its shell, which exits without passing it on.
      shell.kill("SIGTERM");
      expect(await eventually(() => !isRunning(nodePid ?? 0))).toBe(true);
      expect(await isListening(port)).toBe(false);
      expect(await eventually(async () => !(await isListening(azuritePort)))).toBe(true);
    } finally {
      // Whatever happened, nothing of the test is left running.
      if (nodePid !== undefined && isRunning(nodePid)) process.kill(nodePid, "SIGTERM");
      shell.kill("SIGKILL");
    }
    // Room for every wait above to run out and fail, so that the clean-up runs.
  }, 600_000);

  it("mails a created app password's notice through NOTICES_SMTP_URL: it runs Azurite's queue and polls it as the host does", async () => {
    const sink = await startSmtpSink();
    const [port, tablePort, queuePort] = [await freePort(), await freePort(), await freePort()];
    const { shell, output } = startUnderShell({
      PORT: String(port),
      AZURITE_TABLE_PORT: String(tablePort),
      AZURITE_QUEUE_PORT: String(queuePort),
      NOTICES_SMTP_URL: sink.url,
    });
    let nodePid: number | undefined;
    try {
      expect(await eventually(() => output().includes("App passwords service running"))).toBe(true);
      nodePid = Number(/pid (\d+)/.exec(output())?.[1]);
      expect(output()).toContain("Notices by email: sent through NOTICES_SMTP_URL");
      const base = `http://127.0.0.1:${port}`;
      const loginName = `notice-${randomUUID().slice(0, 8)}@contoso.example`;
      const minted = await fetch(`${base}/dev/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ upn: loginName }),
      });
      const { access_token: token } = (await minted.json()) as { access_token: string };
      const registered = await fetch(`${base}/api/users/me/registration`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(registered.status, await registered.clone().text()).toBe(201);
      expect(await eventually(() => sink.mails.length > 0)).toBe(true);
      expect(sink.mails.map((mail) => mail.subject)).toEqual(['A new app password "Initial app password" was created']);
      expect(sink.mails[0]?.to).toMatchObject({ text: loginName });
    } finally {
      if (nodePid !== undefined && isRunning(nodePid)) process.kill(nodePid, "SIGTERM");
      if (nodePid !== undefined) await eventually(() => !isRunning(nodePid ?? 0));
      shell.kill("SIGKILL");
      await sink.close();
    }
  }, 600_000);

  it.each(["PORT", "AZURITE_TABLE_PORT"])("names %s with its valid range when it is not a port", (name) => {
    for (const value of ["abc", "0", "65536", "80.5"]) {
      const run = spawnSync(process.execPath, [startScript], {
        env: { ...process.env, PORT: "7071", [name]: value },
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${name}: must be a whole number from 1 to 65535`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { freePort, startAzurite } from "../dev/azurite";
import { devObjectId } from "../dev/devTokenIssuer";
import { DEFAULT_FUNCTION_KEY } from "../dev/startLocalService";

export type Answer = { readonly status: number; readonly text: string };
const report = z.object({ bootstrapMs: z.number(), moduleLoadMs: z.number(), initMs: z.number() });
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" }).once("error", () => resolve(false));
    socket.once("connect", () => resolve(Boolean(socket.destroy())));
  });

/**
 * Starts `bench/child <mode> <port> ...args` in a fresh `node` on a free port; resolves once it accepts there
 * (polled every 2 ms); `report` gives its own start-up timings. BENCH_SERVICE_CPU_PROF=<dir>: its CPU profile.
 */
export async function spawnChild(mode: string, ...args: string[]) {
  const [port, spawnedAt, profileDir] = [await freePort(), performance.now(), process.env.BENCH_SERVICE_CPU_PROF];
  const profile = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
  const argv = [...profile, path.join(__dirname, "child.js"), mode, String(port), ...args];
  const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
  const [exited, output] = [once(child, "exit"), { stdout: "", stderr: "" }];
  child.stderr.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  const reported = new Promise<z.infer<typeof report>>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      const [line, ...rest] = (output.stdout += chunk.toString()).split("\n");
      if (rest.length > 0 && line !== undefined) resolve(report.parse(JSON.parse(line)));
    });
    child.once("exit", (code) => reject(new Error(`bench/child ${mode} exited (code ${code}) before reporting`)));
  });
  reported.catch(() => undefined); // awaited by the caller; a failed start shows below
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  while (!(await accepts(port))) {
    if (child.exitCode !== null || performance.now() - spawnedAt > 30_000) {
      await stop();
      throw new Error(`bench/child ${mode} did not start:\n${output.stderr}`);
    }
    await sleep(2);
  }
  const [pid, url, listeningMs] = [child.pid ?? -1, `http://127.0.0.1:${port}`, performance.now() - spawnedAt];
  return { pid, url, listeningMs, spawnedAt, report: reported, stderr: () => output.stderr, stop };
}

type CallOptions = { readonly token?: string; readonly body?: unknown; readonly key?: boolean };
const issued = z.object({ id: z.string(), password: z.string() });

/**
 * Azurite (in memory) and the service, each a process of its own (their CPU read apart), and a keep-alive
 * `node:http` client (`fetch` costs 0.4 ms more CPU a call); idle sockets close at 2 s, before the server's 5 s.
 */
export async function startBenchFixture() {
  const azurite = await startAzurite();
  const tableName = `bench${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const service = await spawnChild("service", azurite.connectionString, tableName).catch(async (error: unknown) => {
    await azurite.stop();
    throw error;
  });
  await service.report;
  const agent = new Agent({ keepAlive: true, timeout: 2000 });
  /** Calls to the server at `base` (the service's, or a floor's); `key` sends the function key. */
  const clientFor = (base: string) => {
    const { hostname, port } = new URL(base);
    return (method: string, path: string, { token, body, key }: CallOptions = {}) => {
      const json = body === undefined ? "" : JSON.stringify(body);
      const headers: Record<string, string> = {
        ...(token !== undefined && { authorization: `Bearer ${token}` }),
        ...(key === true && { "x-functions-key": DEFAULT_FUNCTION_KEY }),
        ...(json !== "" && { "content-type": "application/json" }),
        "content-length": String(Buffer.byteLength(json)),
      };
      return new Promise<Answer>((resolve, reject) => {
        const outgoing = request({ agent, hostname, port, method, path, headers }, (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk)).on("error", reject);
          incoming.on("end", () =>
            resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
        });
        outgoing.on("error", reject).end(json);
      });
    };
  };
  const call = clientFor(service.url);
  const expect = async <T>(answer: Promise<Answer>, status: number, schema: z.ZodType<T>) => {
    const { status: got, text } = await answer;
    if (got !== status) throw new Error(`set-up call answered ${got}: ${text.slice(0, 300)}`);
    return schema.parse(JSON.parse(text));
  };
  /** One app password for `user`: its id and plaintext. */
  const create = ({ token }: { token: string }) =>
    expect(call("POST", "/api/users/me/app-passwords", { token, body: { name: "Bench" } }), 201, issued);
  /** Registers `loginName` and creates app passwords until it holds `count` (none verified yet). */
  async function register(loginName: string, count = 1) {
    const minted = call("POST", "/dev/token", { body: { upn: loginName } });
    const { access_token: token } = await expect(minted, 200, z.object({ access_token: z.string() }));
    const registered = call("POST", "/api/users/me/registration", { token });
    const passwords = [(await expect(registered, 201, z.object({ appPassword: issued }))).appPassword.password];
    while (passwords.length < count) passwords.push((await create({ token })).password);
    return { loginName, userId: devObjectId(loginName), token, passwords };
  }
  const verify = (user: string, password: string, clientIp: string) =>
    call("POST", "/api/verify", { key: true, body: { user, password, clientIp, protocol: "imap" } });
  const close = async () => {
    agent.destroy();
    await service.stop();
    await azurite.stop();
  };
  return { azurite, service, tableName, call, clientFor, verify, register, create, close };
}

import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import path from "node:path";
import { z } from "zod";
import { freePort, startAzurite, type RunningAzurite } from "../dev/azurite";
import { devObjectId } from "../dev/devTokenIssuer";
import { startLocalService, type LocalService } from "../dev/startLocalService";
import type { LogLevel } from "../dev/localHost";

/** One answer of the service, read to the end. */
export interface Answer {
  readonly status: number;
  readonly text: string;
}

/** A user set up for the bench, with a valid token and the app password verify checks against. */
export interface BenchUser {
  readonly loginName: string;
  readonly userId: string;
  readonly token: string;
  readonly password: string;
}

export interface BenchFixture {
  readonly azurite: RunningAzurite;
  readonly service: LocalService;
  readonly url: string;
  readonly tableName: string;
  /** Registered, with their one (first) app password. */
  readonly oneUser: BenchUser;
  /** 40 app passwords; `password` is the last one created. */
  readonly fortyUser: BenchUser;
  /** Registered, for create and delete; `password` is their first. */
  readonly creator: BenchUser;
  /** Registered users that wrong passwords are sent for, in turn, so no one user collects many failures. */
  readonly wrongPool: readonly BenchUser[];
  /** Lines the functions logged at warning level or above. */
  readonly problems: string[];
  call(method: string, route: string, options?: { token?: string; body?: unknown }): Promise<Answer>;
  verify(user: string, password: string): Promise<Answer>;
  close(): Promise<void>;
}

const issued = z.object({ id: z.string(), password: z.string() });
const registered = z.object({ appPassword: issued });

/** Environment settings passed through to the service, so a run can try other argon2 costs. */
const PASSED_THROUGH = /^(ARGON2_|APP_PASSWORDS_MAX_PER_USER$|STORAGE_TIMEOUT_MS$)/;

/**
 * Starts an in-memory Azurite and the service behind the local host, exactly as `npm start` wires it, on
 * loopback, in this process; then sets up the users the bench measures with.
 */
export async function startBenchFixture(options: { wrongPoolSize: number }): Promise<BenchFixture> {
  const azurite = await startAzurite();
  const problems: string[] = [];
  const tableName = `bench${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  let service: LocalService;
  try {
    service = await startLocalService({
      port: await freePort(),
      tableConnectionString: azurite.connectionString,
      functionsDir: path.join(__dirname, "..", "functions"),
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => PASSED_THROUGH.test(name))),
        APP_PASSWORDS_TABLE_NAME: tableName,
      },
      onLog: (level: LogLevel, message: string) => {
        if (level === "warning" || level === "error" || level === "critical") problems.push(message);
      },
    });
  } catch (error) {
    await azurite.stop();
    throw error;
  }
  const url = service.host.url;

  // node:http with keep-alive rather than fetch: the client shares the cores with the service, and undici's
  // fetch costs about 0.4 ms more CPU per call (0.50 against 0.12 ms for a whole GET at concurrency 8).
  const agent = new Agent({ keepAlive: true });
  const { hostname, port } = new URL(url);
  function send(method: string, route: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const outgoing = request({ agent, hostname, port, method, path: route, headers }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", reject);
        incoming.on("end", () =>
          resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
      });
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }

  function call(method: string, route: string, options: { token?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body === undefined) return send(method, route, headers);
    const body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
    return send(method, route, headers, body);
  }

  function verify(user: string, password: string) {
    const body = JSON.stringify({ user, password });
    return send(
      "POST",
      "/api/verify",
      {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        "x-functions-key": service.functionKey,
      },
      body,
    );
  }

  async function register(loginName: string): Promise<BenchUser> {
    const token = await service.issuer.issue({ upn: loginName });
    const answer = await call("POST", "/api/users/me/registration", { token });
    if (answer.status !== 201)
      throw new Error(`registration of ${loginName} answered ${answer.status}: ${answer.text}`);
    const { appPassword } = registered.parse(JSON.parse(answer.text));
    return { loginName, userId: devObjectId(loginName), token, password: appPassword.password };
  }

  try {
    const oneUser = await register("one@bench.example");
    const creator = await register("creator@bench.example");
    let fortyUser = await register("forty@bench.example");
    for (let i = 2; i <= 40; i++) {
      const answer = await call("POST", "/api/users/me/app-passwords", {
        token: fortyUser.token,
        body: { name: `Device ${i}` },
      });
      if (answer.status !== 201) throw new Error(`create ${i} of 40 answered ${answer.status}: ${answer.text}`);
      fortyUser = { ...fortyUser, password: issued.parse(JSON.parse(answer.text)).password };
    }
    const wrongPool: BenchUser[] = [];
    for (let i = 0; i < options.wrongPoolSize; i++) wrongPool.push(await register(`wrong-${i}@bench.example`));
    return {
      azurite,
      service,
      url,
      tableName,
      oneUser,
      fortyUser,
      creator,
      wrongPool,
      problems,
      call,
      verify,
      close: async () => {
        agent.destroy();
        await service.host.close();
        await azurite.stop();
      },
    };
  } catch (error) {
    await service.host.close();
    await azurite.stop();
    throw error;
  }
}

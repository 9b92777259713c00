import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { z } from "zod";
import { startAzurite, type RunningAzurite } from "../dev/azurite";
import { devObjectId } from "../dev/devTokenIssuer";
import { DEFAULT_FUNCTION_KEY } from "../dev/startLocalService";
import { spawnService, type SpawnedService } from "./spawnService";

/** One answer of the service, read to the end. */
export interface Answer {
  readonly status: number;
  readonly text: string;
}

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sends the function key (`x-functions-key`). */
  readonly key?: boolean;
}

/** A registered user, with a token and the app passwords the bench made for them (never verified yet). */
export interface BenchUser {
  readonly loginName: string;
  readonly userId: string;
  readonly token: string;
  readonly passwords: string[];
}

export interface BenchFixture {
  readonly azurite: RunningAzurite;
  readonly service: SpawnedService;
  readonly tableName: string;
  call(method: string, route: string, options?: CallOptions): Promise<Answer>;
  /** The same `call`, to another server: a floor the bench compares the service with. */
  clientFor(base: string): (method: string, route: string, options?: CallOptions) => Promise<Answer>;
  verify(user: string, password: string, clientIp: string): Promise<Answer>;
  /** Registers `loginName` and creates app passwords until it holds `count`. */
  register(loginName: string, count?: number): Promise<BenchUser>;
  /** Creates one app password for `user`: its id and plaintext. */
  create(user: BenchUser): Promise<{ id: string; password: string }>;
  close(): Promise<void>;
}

const issued = z.object({ id: z.string(), password: z.string() });
const registered = z.object({ appPassword: issued });
const token = z.object({ access_token: z.string() });

/**
 * Azurite (in memory) and the service, each in a process of its own so their CPU time is read apart, and a
 * keep-alive `node:http` client (undici's `fetch` costs about 0.4 ms more CPU per call, on the same cores).
 */
export async function startBenchFixture(): Promise<BenchFixture> {
  const azurite = await startAzurite();
  const tableName = `bench${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  let service: SpawnedService;
  try {
    service = await spawnService(azurite.connectionString, tableName);
    await service.report;
  } catch (error) {
    await azurite.stop();
    throw error;
  }
  // Idle sockets are closed after 2 s, before the server's keep-alive timeout (5 s) closes them under a request.
  const agent = new Agent({ keepAlive: true, timeout: 2000 });

  /** Calls to the server at `base` (the service's, or a floor's), over the one keep-alive agent. */
  const clientFor = (base: string) => {
    const { hostname, port } = new URL(base);
    return (method: string, path: string, options: CallOptions = {}) => send(hostname, port, method, path, options);
  };
  const call = clientFor(service.url);

  function send(hostname: string, port: string, method: string, path: string, options: CallOptions) {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
      ...(options.key === true && { "x-functions-key": DEFAULT_FUNCTION_KEY }),
      ...(body !== undefined && { "content-type": "application/json" }),
      "content-length": String(body === undefined ? 0 : Buffer.byteLength(body)),
    };
    return new Promise<Answer>((resolve, reject) => {
      const outgoing = request({ agent, hostname, port, method, path, headers }, (incoming) => {
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

  const expect = (answer: Answer, status: number, what: string) => {
    if (answer.status !== status) throw new Error(`${what} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    return JSON.parse(answer.text) as unknown;
  };

  async function create(user: BenchUser) {
    const answer = await call("POST", "/api/users/me/app-passwords", { token: user.token, body: { name: "Bench" } });
    return issued.parse(expect(answer, 201, `create for ${user.loginName}`));
  }

  async function register(loginName: string, count = 1): Promise<BenchUser> {
    const minted = await call("POST", "/dev/token", { body: { upn: loginName } });
    const user: BenchUser = {
      loginName,
      userId: devObjectId(loginName),
      token: token.parse(expect(minted, 200, "the dev token")).access_token,
      passwords: [],
    };
    const answer = await call("POST", "/api/users/me/registration", { token: user.token });
    user.passwords.push(registered.parse(expect(answer, 201, `registration of ${loginName}`)).appPassword.password);
    while (user.passwords.length < count) user.passwords.push((await create(user)).password);
    return user;
  }

  return {
    azurite,
    service,
    tableName,
    call,
    clientFor,
    verify: (user, password, clientIp) =>
      call("POST", "/api/verify", { key: true, body: { user, password, clientIp, protocol: "imap" } }),
    register,
    create,
    close: async () => {
      agent.destroy();
      await service.stop();
      await azurite.stop();
    },
  };
}

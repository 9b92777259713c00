import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { unknownOwner } from "../../shared/domain/verify";
import { countedWrongPasswords } from "../support/countedWrongPasswords";
import { registeredUser } from "../support/fixtures";
import type { CallResult } from "../support/serviceClient";
import { countingHasher, startTestService, type TestService } from "../support/testService";
import { startCountingProxy, type CountingProxy } from "../support/countingProxy";

/** What one verify cost: argon2 calls, and Table Storage requests with their keys masked. */
interface Cost {
  readonly response: CallResult;
  readonly hash: number;
  readonly verify: number;
  /** Method and path of each storage request, keys and table name masked, in a stable order. */
  readonly requests: readonly string[];
}

/** A random wrong password shaped like a real one; where each of several must count, see `countedWrongPasswords`. */
const wrongPassword = () =>
  randomUUID()
    .replace(/[^a-f]/g, "")
    .padEnd(16, "q")
    .slice(0, 16);

/** A fresh documentation address (RFC 5737), so no throttling state carries over between cases. */
let nextHost = 1;
const freshIp = () => `192.0.2.${nextHost++}`;

describe("verify costs the same for an unknown user, a wrong password and the right one", () => {
  const counts = { hash: 0, verify: 0 };
  let proxy: CountingProxy;
  let service: TestService;
  let alice: Awaited<ReturnType<typeof registeredUser>>;

  beforeAll(async () => {
    proxy = await startCountingProxy(inject("tableConnectionString"));
    // Default argon2 parameters: a hash made now is not due for a rehash at the next success.
    service = await startTestService({
      wrapHasher: countingHasher(counts),
      env: { APP_PASSWORDS_TABLE_CONNECTION_STRING: proxy.connectionString },
    });
    alice = await registeredUser(service, "alice");
    // The proxy really is in the path: registering went through it.
    expect(proxy.requests.length).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await service.close();
    await proxy.close();
  });

  const mask = (path: string) =>
    decodeURIComponent(path)
      .replace(service.config.table.tableName, "<table>")
      .replace(/'(?:[^']|'')*'/g, "'…'");

  async function cost(user: string, password: string, clientIp: string): Promise<Cost> {
    counts.hash = 0;
    counts.verify = 0;
    proxy.reset();
    const response = await service.verify(user, password, { clientIp });
    const requests = proxy.requests.map(({ method, path }) => `${method} ${mask(path)}`).sort();
    return { response, hash: counts.hash, verify: counts.verify, requests };
  }

  it("costs exactly one argon2 verification and no hash for an unknown user", async () => {
    const unknown = await cost(`ghost-${randomUUID().slice(0, 8)}@contoso.com`, wrongPassword(), freshIp());
    expect(unknown.response.json).toEqual({ valid: false });
    expect({ hash: unknown.hash, verify: unknown.verify }).toEqual({ hash: 0, verify: 1 });
  });

  it("costs exactly one argon2 verification and no hash for a wrong password", async () => {
    const wrong = await cost(alice.loginName, wrongPassword(), freshIp());
    expect(wrong.response.json).toEqual({ valid: false });
    expect({ hash: wrong.hash, verify: wrong.verify }).toEqual({ hash: 0, verify: 1 });
  });

  it("costs exactly one argon2 verification and no hash for the right password (no rehash is due)", async () => {
    const right = await cost(alice.loginName, alice.initialPassword, freshIp());
    expect(right.response.json).toMatchObject({ valid: true, userId: alice.userId });
    expect({ hash: right.hash, verify: right.verify }).toEqual({ hash: 0, verify: 1 });
  });

  it("costs one argon2 verification however many app passwords the user has", async () => {
    let newest = "";
    for (const name of ["Phone", "Tablet", "Laptop", "Outlook", "Calendar"]) {
      const created = await service.call("POST", "/api/users/me/app-passwords", { token: alice.token, body: { name } });
      expect(created.status).toBe(201);
      newest = created.json.password;
    }
    const wrong = await cost(alice.loginName, wrongPassword(), freshIp());
    expect({ hash: wrong.hash, verify: wrong.verify }).toEqual({ hash: 0, verify: 1 });
    // Never verified before: a cold verify.
    const right = await cost(alice.loginName, newest, freshIp());
    expect(right.response.json.valid).toBe(true);
    expect({ hash: right.hash, verify: right.verify }).toEqual({ hash: 0, verify: 1 });
  });

  it("makes the same Table Storage requests for an unknown login name as for a wrong password", async () => {
    const ghost = `ghost-${randomUUID().slice(0, 8)}@contoso.com`;
    const bob = await registeredUser(service, "bob");
    const ip = freshIp();
    const [ghostWrong, bobWrong] = [
      countedWrongPasswords(service, unknownOwner(service.config.throttleKey, ghost)),
      countedWrongPasswords(service, bob.userId),
    ];
    // The first failure (no throttling row yet), then later ones (the row exists): all must match.
    for (let round = 0; round < 3; round++) {
      const unknown = await cost(ghost, await ghostWrong(), ip);
      const wrong = await cost(bob.loginName, await bobWrong(), ip);
      expect(unknown.response.json).toEqual({ valid: false });
      expect(wrong.response.json).toEqual({ valid: false });
      expect(unknown.requests.length).toBeGreaterThan(0);
      expect(unknown.requests.length, `round ${round}`).toBe(wrong.requests.length);
      expect(unknown.requests, `round ${round}`).toEqual(wrong.requests);
    }
  });

  it("makes the same Table Storage requests for an unknown object id as for a wrong password by object id", async () => {
    const stranger = randomUUID();
    const carol = await registeredUser(service, "carol");
    const ip = freshIp();
    const [strangerWrong, carolWrong] = [
      countedWrongPasswords(service, stranger),
      countedWrongPasswords(service, carol.userId),
    ];
    for (let round = 0; round < 3; round++) {
      const unknown = await cost(stranger, await strangerWrong(), ip);
      const wrong = await cost(carol.userId, await carolWrong(), ip);
      expect(unknown.response.json).toEqual({ valid: false });
      expect(wrong.response.json).toEqual({ valid: false });
      expect(unknown.requests.length, `round ${round}`).toBe(wrong.requests.length);
      expect(unknown.requests, `round ${round}`).toEqual(wrong.requests);
    }
  });

  it("costs no argon2 at all once throttled, and the same storage requests for an unknown user", async () => {
    const ghost = `ghost-${randomUUID().slice(0, 8)}@contoso.com`;
    const ip = freshIp();
    // Someone whose right password was never verified: a cold verify.
    const dave = await registeredUser(service, "dave");
    const ghostWrong = countedWrongPasswords(service, unknownOwner(service.config.throttleKey, ghost));
    const daveWrong = countedWrongPasswords(service, dave.userId);
    for (let i = 0; i < 10; i++) {
      expect((await cost(ghost, await ghostWrong(), ip)).response.status).toBe(200);
      expect((await cost(dave.loginName, await daveWrong(), ip)).response.status).toBe(200);
    }
    const unknown = await cost(ghost, wrongPassword(), ip);
    const known = await cost(dave.loginName, dave.initialPassword, ip);
    expect([unknown.response.status, known.response.status]).toEqual([429, 429]);
    expect({ hash: unknown.hash, verify: unknown.verify }).toEqual({ hash: 0, verify: 0 });
    expect({ hash: known.hash, verify: known.verify }).toEqual({ hash: 0, verify: 0 });
    expect(unknown.requests).toEqual(known.requests);
  });

  it("writes a first use's last use and the undoing of its own failure count in one transaction", async () => {
    const frank = await registeredUser(service, "frank");
    const first = await cost(frank.loginName, frank.initialPassword, freshIp());
    expect(first.response.json.valid).toBe(true);
    const writes = first.requests.filter((request) => !request.startsWith("GET "));
    // The failure counted before the check, the transaction (use and reset), the first-use event.
    expect(writes).toHaveLength(3);
    expect(writes.filter((request) => request.endsWith("/$batch"))).toHaveLength(1);
  });

  it("makes one read, no write and no argon2 when a phone signs in again (the repeat-login memory); a wrong password after it stays cold", async () => {
    const erin = await registeredUser(service, "erin");
    const ip = freshIp();
    // The first success from an address records it as familiar (and the password's lastUsedAt): writes.
    const first = await cost(erin.loginName, erin.initialPassword, ip);
    expect(first.response.json.valid).toBe(true);
    expect(first.verify).toBe(1);
    expect(first.requests.filter((request) => request.startsWith("GET ")).length).toBe(2);
    expect(first.requests.filter((request) => !request.startsWith("GET ")).length).toBeGreaterThan(0);
    // A repeat of the right password: the login name from memory, then the candidate and throttling together.
    for (const user of [erin.loginName, erin.loginName.toUpperCase(), erin.userId]) {
      const again = await cost(user, erin.initialPassword, ip);
      expect(again.response.json.valid).toBe(true);
      expect({ hash: again.hash, verify: again.verify }).toEqual({ hash: 0, verify: 0 });
      expect(again.requests).toHaveLength(1);
      expect(again.requests.every((request) => request.startsWith("GET "))).toBe(true);
    }
    // Only the right password is cheaper: a wrong one costs what it costs for an unknown name.
    const ghost = `ghost-${randomUUID().slice(0, 8)}@contoso.com`;
    const [erinWrong, ghostWrong] = [
      countedWrongPasswords(service, erin.userId),
      countedWrongPasswords(service, unknownOwner(service.config.throttleKey, ghost)),
    ];
    const wrong = await cost(erin.loginName, await erinWrong(), ip);
    const unknown = await cost(ghost, await ghostWrong(), ip);
    expect([wrong.response.json, unknown.response.json]).toEqual([{ valid: false }, { valid: false }]);
    expect([wrong.verify, unknown.verify]).toEqual([1, 1]);
    expect(wrong.requests.filter((request) => request.startsWith("GET "))).toEqual(
      unknown.requests.filter((request) => request.startsWith("GET ")),
    );
  });
});

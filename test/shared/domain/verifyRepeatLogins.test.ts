import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AppPasswordService, IssuedAppPassword } from "../../../shared/domain/appPasswordService";
import type { AppPasswordStore } from "../../../shared/domain/appPasswordStore";
import { appPasswordTag } from "../../../shared/domain/appPasswordSecret";
import type { Principal } from "../../../shared/domain/principal";
import type { RepeatLoginMemorySettings } from "../../../shared/domain/repeatLoginMemory";
import { createArgon2Hasher, type Argon2Parameters } from "../../../shared/adapters/argon2Hasher";
import { startCountingProxy, type CountingProxy } from "../../support/countingProxy";
import { CHEAP_ARGON2 } from "../../support/constants";
import { principal, uniqueLogin } from "../../support/fixtures";
import { domainFixture } from "../../support/domainFixture";
import { azuriteStore, freshTableName } from "../../support/testService";

// Verify's repeat-login memory over the real store (Azurite, through a counting proxy) and real argon2,
// with argon2 calls and storage requests counted.
const MINUTE_MS = 60_000;
const GATEWAY_IP = "203.0.113.7";
const MEMORY: RepeatLoginMemorySettings = {
  entries: 1000,
  lifetimeMs: 3 * 60 * MINUTE_MS,
  loginNameLifetimeMs: 5 * MINUTE_MS,
};

const tableName = freshTableName();
let proxy: CountingProxy;
let store: AppPasswordStore;
const fixture = domainFixture({ store: () => store });
const { clock, counts, later } = fixture;
/** A service with this memory (the file's by default) and argon2 cost. */
const newService = (repeatLoginMemory = MEMORY, argon2: Argon2Parameters = CHEAP_ARGON2) =>
  fixture.newService({ repeatLoginMemory, argon2 });

/** A registered person with `devices` app passwords, issued by `on`. */
async function personWith(on: AppPasswordService, devices: number) {
  const person = principal(uniqueLogin("repeat"));
  const registered = await on.register(person, person.userId);
  if (registered.code !== "REGISTERED" || !registered.appPassword) throw new Error("registration refused");
  const passwords: IssuedAppPassword[] = [registered.appPassword];
  while (passwords.length < devices) {
    const created = await on.create(person, person.userId, { name: `Device ${passwords.length + 1}` });
    if (created.code !== "CREATED") throw new Error(`create refused: ${created.code}`);
    passwords.push(created.appPassword);
  }
  return { person, passwords };
}

/** Argon2 verifications and storage requests (reads and writes) of `run`. */
async function costOf<T>(run: () => Promise<T>) {
  counts.verify = 0;
  counts.hash = 0;
  proxy.reset();
  const result = await run();
  const requests = proxy.requests.map(({ method }) => method);
  return {
    result,
    argon2: counts.verify,
    reads: requests.filter((method) => method === "GET").length,
    writes: requests.filter((method) => method !== "GET").length,
  };
}

const valid = (person: Principal, password: IssuedAppPassword) => ({
  code: "VALID",
  userId: person.userId,
  loginName: person.loginName,
  appPasswordId: password.id,
});

beforeAll(async () => {
  proxy = await startCountingProxy(inject("tableConnectionString"));
  store = azuriteStore(tableName, proxy.connectionString);
});
afterAll(() => proxy.close());

describe("verify with the repeat-login memory", () => {
  it("runs argon2 once per device for a gateway's workload, while lastUsedAt is written", async () => {
    const service = newService();
    const people = await Promise.all([personWith(service, 25), personWith(service, 25)]);
    const devices = people.flatMap(({ person, passwords }) => passwords.map((password) => ({ person, password })));
    expect(devices).toHaveLength(50);
    counts.verify = 0;
    for (let round = 0; round < 20; round++) {
      for (const [index, { person, password }] of devices.entries()) {
        // Half the devices sign in by login name, half by object id, as gateways do either.
        const user = index % 2 === 0 ? person.loginName : person.userId;
        expect(
          await service.verify({ user: user, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
        ).toEqual(valid(person, password));
      }
      later(6 * MINUTE_MS);
    }
    expect(counts.verify).toBeLessThanOrEqual(50);
    // lastUsedAt moved with the clock meanwhile: the memory does not depend on it.
    const [first] = devices;
    const stored = first && (await store.getVerifyRows(first.person.userId, first.password.id)).candidate;
    expect(stored?.lastUsedAt?.getTime()).toBeGreaterThan(clock.now.getTime() - 10 * MINUTE_MS);
  });

  it("answers a repeat by login name with one storage read and no write, and a first one with two", async () => {
    const service = newService();
    const { person, passwords } = await personWith(service, 1);
    const [password] = passwords;
    if (!password) throw new Error("no app password");
    const first = await costOf(() =>
      service.verify({ user: person.loginName, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect(first).toMatchObject({ result: valid(person, password), argon2: 1, reads: 2 });
    const again = await costOf(() =>
      service.verify({
        user: person.loginName.toUpperCase(),
        password: password.password,
        clientIp: GATEWAY_IP,
        protocol: "imap",
      }),
    );
    expect(again).toEqual({ result: valid(person, password), argon2: 0, reads: 1, writes: 0 });
  });

  it("never answers a wrong password from memory, and makes it pay the login-name read like a cold verify", async () => {
    const service = newService();
    const { person, passwords } = await personWith(service, 1);
    const [password] = passwords;
    if (!password) throw new Error("no app password");
    await service.verify({
      user: person.loginName,
      password: password.password,
      clientIp: GATEWAY_IP,
      protocol: "imap",
    });
    const wrong = await costOf(() =>
      service.verify({ user: person.loginName, password: "wrongwrongwrongw", clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect(wrong.result).toEqual({ code: "INVALID" });
    expect({ argon2: wrong.argon2, reads: wrong.reads }).toEqual({ argon2: 1, reads: 2 });
  });

  it("goes to storage and argon2 after a delete, and answers invalid", async () => {
    const service = newService();
    const { person, passwords } = await personWith(service, 2);
    const [kept, deleted] = passwords;
    if (!kept || !deleted) throw new Error("no app passwords");
    for (const password of [kept, deleted])
      await service.verify({
        user: person.loginName,
        password: password.password,
        clientIp: GATEWAY_IP,
        protocol: "imap",
      });
    expect(await service.remove(person, person.userId, deleted.id)).toMatchObject({ code: "REMOVED" });
    const after = await costOf(() =>
      service.verify({ user: person.loginName, password: deleted.password, clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect({ result: after.result, argon2: after.argon2 }).toEqual({ result: { code: "INVALID" }, argon2: 1 });
    const other = await costOf(() =>
      service.verify({ user: person.loginName, password: kept.password, clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect({ result: other.result, argon2: other.argon2 }).toEqual({ result: valid(person, kept), argon2: 0 });
  });

  it("goes to argon2 once the hash changed (an upgrade), and not when only lastUsedAt was written", async () => {
    const service = newService();
    const { person, passwords } = await personWith(service, 1);
    const [password] = passwords;
    if (!password) throw new Error("no app password");
    await service.verify({ user: person.userId, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" });
    const read = async () => (await store.getVerifyRows(person.userId, password.id)).candidate;
    const before = await read();
    if (!before) throw new Error("no row");
    await store.touchAppPassword(before, { lastUsedAt: later(MINUTE_MS) });
    expect(
      (
        await costOf(() =>
          service.verify({ user: person.userId, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
        )
      ).argon2,
    ).toBe(0);
    // Another instance upgrades the hash: the row's version changes.
    const touched = await read();
    if (!touched) throw new Error("no row");
    const rehashed = await createArgon2Hasher(CHEAP_ARGON2).hash(password.password);
    await store.touchAppPassword(touched, { lastUsedAt: clock.now, hash: rehashed });
    const after = await costOf(() =>
      service.verify({ user: person.userId, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect({ result: after.result, argon2: after.argon2 }).toEqual({ result: valid(person, password), argon2: 1 });
    expect(
      (
        await costOf(() =>
          service.verify({ user: person.userId, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
        )
      ).argon2,
    ).toBe(0);
  });

  it("does not remember a success whose hash this instance upgrades: the next verify checks the new hash", async () => {
    const weak = newService(MEMORY, CHEAP_ARGON2);
    const { person, passwords } = await personWith(weak, 1);
    const [password] = passwords;
    if (!password) throw new Error("no app password");
    const stronger = newService(MEMORY, { ...CHEAP_ARGON2, timeCost: 2 });
    const upgrading = await costOf(() =>
      stronger.verify({ user: person.userId, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect({ argon2: upgrading.argon2, hash: counts.hash }).toEqual({ argon2: 1, hash: 1 });
    expect(
      (
        await costOf(() =>
          stronger.verify({ user: person.userId, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
        )
      ).argon2,
    ).toBe(1);
    expect(
      (
        await costOf(() =>
          stronger.verify({ user: person.userId, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
        )
      ).argon2,
    ).toBe(0);
  });

  it("goes to argon2 again once the lifetime is over", async () => {
    const service = newService();
    const { person, passwords } = await personWith(service, 1);
    const [password] = passwords;
    if (!password) throw new Error("no app password");
    await service.verify({ user: person.userId, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" });
    later(MEMORY.lifetimeMs);
    expect(
      (
        await costOf(() =>
          service.verify({ user: person.userId, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
        )
      ).argon2,
    ).toBe(1);
  });

  it("runs argon2 on every verify when it is off", async () => {
    const service = newService({ entries: 0, lifetimeMs: 0, loginNameLifetimeMs: 0 });
    const { person, passwords } = await personWith(service, 1);
    const [password] = passwords;
    if (!password) throw new Error("no app password");
    for (let i = 0; i < 3; i++) {
      const cost = await costOf(() =>
        service.verify({ user: person.loginName, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
      );
      expect({ argon2: cost.argon2, reads: cost.reads }).toEqual({ argon2: 1, reads: 2 });
    }
  });

  it("keeps two instances on one table correct when one deletes what the other remembers", async () => {
    const one = newService();
    const other = newService();
    const { person, passwords } = await personWith(one, 1);
    const [password] = passwords;
    if (!password) throw new Error("no app password");
    for (const instance of [one, other, one, other]) {
      expect(
        await instance.verify({
          user: person.loginName,
          password: password.password,
          clientIp: GATEWAY_IP,
          protocol: "imap",
        }),
      ).toEqual(valid(person, password));
    }
    expect(await other.remove(person, person.userId, password.id)).toMatchObject({ code: "REMOVED" });
    for (const instance of [one, other]) {
      const after = await costOf(() =>
        instance.verify({
          user: person.loginName,
          password: password.password,
          clientIp: GATEWAY_IP,
          protocol: "imap",
        }),
      );
      expect({ result: after.result, argon2: after.argon2 }).toEqual({ result: { code: "INVALID" }, argon2: 1 });
    }
  });

  it("stops resolving a re-pointed login name to its former holder once the name's lifetime is over", async () => {
    const service = newService();
    const { person, passwords } = await personWith(service, 1);
    const [password] = passwords;
    if (!password) throw new Error("no app password");
    await service.verify({
      user: person.loginName,
      password: password.password,
      clientIp: GATEWAY_IP,
      protocol: "imap",
    });
    // The name now belongs to another account (released by an admin, then proved by someone else).
    const newcomer = principal(person.loginName, { userId: "00000000-0000-4000-8000-00000000beef" });
    const mapping = await store.getLoginName(person.loginName);
    await store.releaseLoginName(person.loginName, mapping!.etag);
    expect(await store.saveLoginName(person.loginName, newcomer.userId)).toBe("done");
    later(MEMORY.loginNameLifetimeMs);
    const after = await costOf(() =>
      service.verify({ user: person.loginName, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect({ result: after.result, reads: after.reads }).toEqual({ result: { code: "INVALID" }, reads: 2 });
    // Its holder still signs in by object id, from memory.
    const byId = await costOf(() =>
      service.verify({ user: person.userId, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect({ result: byId.result, argon2: byId.argon2 }).toEqual({ result: valid(person, password), argon2: 0 });
  });

  it("does not resolve a remembered login name to an account that was renamed away from it", async () => {
    const service = newService();
    const { person, passwords } = await personWith(service, 1);
    const [password] = passwords;
    if (!password) throw new Error("no app password");
    await service.verify({
      user: person.loginName,
      password: password.password,
      clientIp: GATEWAY_IP,
      protocol: "imap",
    });
    // Renamed in Entra ID, and recorded as registration does: the record and the name rows follow.
    const renamed = uniqueLogin("renamed");
    const user = await store.getUser(person.userId);
    if (!user) throw new Error("no user");
    await store.setLoginName(user, renamed);
    await store.saveLoginName(renamed, person.userId);
    await store.deleteLoginName(person.loginName, person.userId);
    const old = await costOf(() =>
      service.verify({ user: person.loginName, password: password.password, clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect(old.result).toEqual({ code: "INVALID" });
    const current = await service.verify({
      user: renamed,
      password: password.password,
      clientIp: GATEWAY_IP,
      protocol: "imap",
    });
    expect(current).toEqual({ code: "VALID", userId: person.userId, loginName: renamed, appPasswordId: password.id });
  });

  it("forgets a remembered login name as soon as a verify through it fails", async () => {
    const service = newService();
    const { person, passwords } = await personWith(service, 2);
    const [kept, deleted] = passwords;
    if (!kept || !deleted) throw new Error("no app passwords");
    for (const password of [kept, deleted])
      await service.verify({
        user: person.loginName,
        password: password.password,
        clientIp: GATEWAY_IP,
        protocol: "imap",
      });
    // Remembered for this instance, so deleted directly in storage: the memory cannot have heard of it.
    const user = await store.getUser(person.userId);
    if (!user) throw new Error("no user");
    await store.removeAppPasswords(user, [deleted.id]);
    expect(appPasswordTag(person.userId, deleted.password)).toBe(deleted.id);
    const failed = await costOf(() =>
      service.verify({ user: person.loginName, password: deleted.password, clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect({ result: failed.result, reads: failed.reads }).toEqual({ result: { code: "INVALID" }, reads: 1 });
    const next = await costOf(() =>
      service.verify({ user: person.loginName, password: kept.password, clientIp: GATEWAY_IP, protocol: "imap" }),
    );
    expect({ result: next.result, reads: next.reads }).toEqual({ result: valid(person, kept), reads: 2 });
  });
});

describe("the repeat-login memory and restrictions", () => {
  it("never answers from memory for a login outside the app password's protocols, addresses or lifetime", async () => {
    const service = newService();
    const person = principal(uniqueLogin("restricted"));
    await service.register(person, person.userId);
    const created = await service.create(person, person.userId, {
      name: "Phone",
      expiresInDays: 1,
      protocols: ["imap"],
      allowedIps: ["203.0.113.0/24"],
    });
    if (created.code !== "CREATED") throw new Error(created.code);
    const login = (protocol: "imap" | "pop3", clientIp = GATEWAY_IP) =>
      costOf(() => service.verify({ user: person.userId, password: created.appPassword.password, clientIp, protocol }));

    expect((await login("imap")).result).toMatchObject({ code: "VALID" });
    // Remembered: a repeat skips argon2.
    expect(await login("imap")).toMatchObject({ result: { code: "VALID" }, argon2: 0 });
    // Outside the restrictions: a failure, with argon2 like any other.
    expect(await login("pop3")).toMatchObject({ result: { code: "INVALID" }, argon2: 1 });
    expect(await login("imap", "198.51.100.1")).toMatchObject({ result: { code: "INVALID" }, argon2: 1 });
    later(24 * 60 * MINUTE_MS);
    expect(await login("imap")).toMatchObject({ result: { code: "INVALID" }, argon2: 1 });
  });

  it("keeps remembering across a rename, which changes nothing verify depends on", async () => {
    const service = newService();
    const person = principal(uniqueLogin("renamed"));
    const registered = await service.register(person, person.userId);
    if (registered.code !== "REGISTERED" || !registered.appPassword) throw new Error("not registered");
    const { password, id } = registered.appPassword;
    const login = () =>
      costOf(() => service.verify({ user: person.userId, password, clientIp: GATEWAY_IP, protocol: "imap" }));
    expect((await login()).result).toMatchObject({ code: "VALID" });
    expect(await service.rename(person, person.userId, id, "Renamed")).toMatchObject({ code: "RENAMED" });
    expect(await login()).toMatchObject({ result: { code: "VALID" }, argon2: 0 });
  });
});

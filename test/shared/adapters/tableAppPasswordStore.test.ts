import { randomUUID } from "node:crypto";
import { TableClient, TableServiceClient, odata } from "@azure/data-tables";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { AppPasswordStore, NewAppPassword, UserRecord } from "../../../shared/domain/appPasswordStore";
import { NO_THROTTLE, type ThrottleState } from "../../../shared/domain/verifyThrottle";
import { startCountingProxy } from "../../support/countingProxy";
import { azuriteStore, freshTableName } from "../../support/testService";

const connectionString = inject("tableConnectionString");
const clientOptions = { allowInsecureConnection: true };

let sequence = 0;
/** An app password record as the domain would hand it over; the hash is opaque to the store. */
function appPassword(userId: string, name = `Device ${++sequence}`): NewAppPassword {
  return {
    userId,
    id: randomUUID().slice(0, 8),
    name,
    hash: `$argon2id$v=19$m=8192,t=1,p=1$c2FsdA$${randomUUID()}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)),
  };
}

const newUser = () => ({
  userId: randomUUID(),
  loginName: `${randomUUID().slice(0, 8)}@contoso.com`,
  registeredAt: new Date("2026-01-01T00:00:00Z"),
});

describe("createTableAppPasswordStore", () => {
  const tableName = freshTableName();
  let store: AppPasswordStore;
  /** Direct access to the same table, to see what the store really wrote. */
  let table: TableClient;

  beforeAll(() => {
    store = azuriteStore(tableName);
    table = TableClient.fromConnectionString(connectionString, tableName, clientOptions);
  });

  /** The app password as stored, read the way verify reads it. */
  const storedAppPassword = async (userId: string, id: string) => (await store.getVerifyRows(userId, id)).candidate;

  /** A registered user holding `count` app passwords, and its fresh record. */
  async function userWith(count: number): Promise<{ user: UserRecord; ids: string[] }> {
    const registration = newUser();
    const first = appPassword(registration.userId);
    expect(await store.register(registration, first)).toBe("done");
    const ids = [first.id];
    for (let i = 1; i < count; i++) {
      const user = (await store.getUser(registration.userId))!;
      const next = appPassword(registration.userId);
      expect(await store.addAppPassword(user, next)).toBe("done");
      ids.push(next.id);
    }
    return { user: (await store.getUser(registration.userId))!, ids };
  }

  /** Every row of a partition, as stored. */
  async function rowsOf(partitionKey: string) {
    const rows: Record<string, unknown>[] = [];
    for await (const entity of table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
    })) {
      // The etag and timestamp change on every write; a row counts as unchanged when its data is.
      rows.push(Object.fromEntries(Object.entries(entity).filter(([key]) => key !== "etag" && key !== "timestamp")));
    }
    return rows;
  }

  it("creates its table on first use", async () => {
    const name = freshTableName();
    const service = TableServiceClient.fromConnectionString(connectionString, clientOptions);
    const exists = async () => {
      for await (const found of service.listTables({ queryOptions: { filter: odata`TableName eq ${name}` } })) {
        if (found.name === name) return true;
      }
      return false;
    };
    expect(await exists()).toBe(false);
    const fresh = azuriteStore(name);
    expect(await fresh.getUser(randomUUID())).toBeUndefined();
    expect(await exists()).toBe(true);
    const registration = newUser();
    expect(await fresh.register(registration)).toBe("done");
  });

  describe("register", () => {
    it("creates the user record and the first app password together", async () => {
      const registration = newUser();
      const first = appPassword(registration.userId, "Initial app password");
      expect(await store.register(registration, first)).toBe("done");

      const user = await store.getUser(registration.userId);
      expect(user).toMatchObject({ ...registration, appPasswordCount: 1, etag: expect.any(String) });
      const stored = await storedAppPassword(registration.userId, first.id);
      expect(stored).toMatchObject({ ...first, etag: expect.any(String) });
      expect(stored?.lastUsedAt).toBeUndefined();
      expect(await store.listAppPasswords(registration.userId)).toHaveLength(1);
    });

    it("creates only the user record when there is no first app password", async () => {
      const registration = newUser();
      expect(await store.register(registration)).toBe("done");
      expect(await store.getUser(registration.userId)).toMatchObject({ appPasswordCount: 0 });
      expect(await store.listAppPasswords(registration.userId)).toEqual([]);
    });

    it("returns taken for a second registration and leaves the first as it was", async () => {
      const registration = newUser();
      const first = appPassword(registration.userId);
      expect(await store.register(registration, first)).toBe("done");
      const before = await rowsOf(registration.userId);

      const again = { ...registration, loginName: "someone-else@contoso.com", registeredAt: new Date() };
      expect(await store.register(again, appPassword(registration.userId))).toBe("taken");
      expect(await rowsOf(registration.userId)).toEqual(before);
    });
  });

  describe("addAppPassword", () => {
    it("adds the app password and counts it", async () => {
      const { user } = await userWith(1);
      const next = appPassword(user.userId);
      expect(await store.addAppPassword(user, next)).toBe("done");
      expect(await store.getUser(user.userId)).toMatchObject({ appPasswordCount: 2 });
      expect(await storedAppPassword(user.userId, next.id)).toMatchObject(next);
    });

    it("records a new login name with the app password when given one", async () => {
      const { user } = await userWith(1);
      expect(await store.addAppPassword(user, appPassword(user.userId), "renamed@contoso.com")).toBe("done");
      expect(await store.getUser(user.userId)).toMatchObject({ loginName: "renamed@contoso.com" });
    });

    it("returns conflict and writes nothing when the user record changed since it was read", async () => {
      const { user: stale } = await userWith(1);
      expect(await store.addAppPassword(stale, appPassword(stale.userId))).toBe("done");
      const before = await rowsOf(stale.userId);

      const loser = appPassword(stale.userId);
      expect(await store.addAppPassword(stale, loser)).toBe("conflict");
      expect(await rowsOf(stale.userId)).toEqual(before);
      expect(await storedAppPassword(stale.userId, loser.id)).toBeUndefined();
      expect(await store.getUser(stale.userId)).toMatchObject({ appPasswordCount: 2 });
    });

    it("lets exactly one of many concurrent adds from the same read win", async () => {
      const { user } = await userWith(1);
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => store.addAppPassword(user, appPassword(user.userId))),
      );
      expect(outcomes.filter((outcome) => outcome === "done")).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === "conflict")).toHaveLength(7);
      expect(await store.getUser(user.userId)).toMatchObject({ appPasswordCount: 2 });
      expect(await store.listAppPasswords(user.userId)).toHaveLength(2);
    });

    it("returns taken and writes nothing when the id is already in use", async () => {
      const { user, ids } = await userWith(2);
      const before = await rowsOf(user.userId);
      const clash = { ...appPassword(user.userId, "Clash"), id: ids[0]! };
      expect(await store.addAppPassword(user, clash)).toBe("taken");
      expect(await rowsOf(user.userId)).toEqual(before);
    });
  });

  describe("listAppPasswords", () => {
    it("returns the user's app passwords only, not their record or anyone else's", async () => {
      const { user, ids } = await userWith(3);
      await userWith(2);
      await store.saveLoginName(user.loginName, user.userId);
      const listed = await store.listAppPasswords(user.userId);
      expect(listed.map((stored) => stored.id).sort()).toEqual([...ids].sort());
      expect(listed.every((stored) => stored.userId === user.userId)).toBe(true);
    });

    it("returns nothing for an unknown user", async () => {
      expect(await store.listAppPasswords(randomUUID())).toEqual([]);
    });
  });

  describe("removeAppPasswords", () => {
    it("deletes the app passwords and uncounts them", async () => {
      const { user, ids } = await userWith(3);
      expect(await store.removeAppPasswords(user, [ids[0]!, ids[2]!])).toBe("done");
      expect((await store.listAppPasswords(user.userId)).map((stored) => stored.id)).toEqual([ids[1]]);
      expect(await store.getUser(user.userId)).toMatchObject({ appPasswordCount: 1 });
    });

    it("returns not-found and changes nothing when an id does not exist", async () => {
      const { user, ids } = await userWith(2);
      const before = await rowsOf(user.userId);
      expect(await store.removeAppPasswords(user, ["0badc0de"])).toBe("not-found");
      expect(await store.removeAppPasswords(user, [ids[0]!, "0badc0de"])).toBe("not-found");
      expect(await rowsOf(user.userId)).toEqual(before);
    });

    it("returns conflict and changes nothing when the user record changed since it was read", async () => {
      const { user: stale, ids } = await userWith(2);
      expect(await store.addAppPassword(stale, appPassword(stale.userId))).toBe("done");
      const before = await rowsOf(stale.userId);
      expect(await store.removeAppPasswords(stale, [ids[0]!])).toBe("conflict");
      expect(await rowsOf(stale.userId)).toEqual(before);
    });
  });

  describe("touchAppPassword", () => {
    it("records the last use and an upgraded hash", async () => {
      const { user, ids } = await userWith(1);
      const stored = (await storedAppPassword(user.userId, ids[0]!))!;
      const lastUsedAt = new Date("2026-02-03T04:05:06.789Z");
      await store.touchAppPassword(stored, { lastUsedAt, hash: "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3" });
      expect(await storedAppPassword(user.userId, ids[0]!)).toMatchObject({
        name: stored.name,
        createdAt: stored.createdAt,
        lastUsedAt,
        hash: "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3",
      });
    });

    it("does not resurrect an app password deleted in the meantime", async () => {
      const { user, ids } = await userWith(2);
      const stored = (await storedAppPassword(user.userId, ids[0]!))!;
      expect(await store.removeAppPasswords(user, [ids[0]!])).toBe("done");
      await store.touchAppPassword(stored, { lastUsedAt: new Date(), hash: "$argon2id$v=19$m=1,t=1,p=1$eA$eA" });
      expect(await storedAppPassword(user.userId, ids[0]!)).toBeUndefined();
      expect(await store.listAppPasswords(user.userId)).toHaveLength(1);
    });

    it("does not overwrite an app password changed in the meantime", async () => {
      const { user, ids } = await userWith(1);
      const stale = (await storedAppPassword(user.userId, ids[0]!))!;
      const first = new Date("2026-03-01T00:00:00Z");
      await store.touchAppPassword(stale, { lastUsedAt: first });
      await store.touchAppPassword(stale, { lastUsedAt: new Date("2026-01-01T00:00:00Z"), hash: "x" });
      expect(await storedAppPassword(user.userId, ids[0]!)).toMatchObject({ lastUsedAt: first, hash: stale.hash });
    });
  });

  describe("login names", () => {
    it("finds the user by login name in any case", async () => {
      const userId = randomUUID();
      await store.saveLoginName("Mixed.Case@Contoso.com", userId);
      expect(await store.findUserIdByLoginName("mixed.case@contoso.com")).toBe(userId);
      expect(await store.findUserIdByLoginName("MIXED.CASE@CONTOSO.COM")).toBe(userId);
    });

    it.each([
      ["a hash", "o#neil@contoso.com"],
      ["an apostrophe", "o'neil@contoso.com"],
      ["a slash", "o/neil@contoso.com"],
      ["a backslash", "o\\neil@contoso.com"],
      ["a question mark", "o?neil@contoso.com"],
      ["a percent sign", "o%27neil@contoso.com"],
      ["all of them", "a#b'c/d?e\\f%g@contoso.com"],
      ["non-ASCII letters", "ÉLODIE.ŁUKASZ@CONTOSO.COM"],
      ["a control character", "o\tneil@contoso.com"],
    ])("keeps a login name with %s apart from the others", async (_, loginName) => {
      const userId = randomUUID();
      await store.saveLoginName(loginName, userId);
      expect(await store.findUserIdByLoginName(loginName)).toBe(userId);
      expect(await store.findUserIdByLoginName(loginName.toUpperCase())).toBe(userId);
      expect(await store.findUserIdByLoginName(loginName.replace(/[^a-z@.]/gi, ""))).toBeUndefined();
    });

    it("does not confuse a login name with its percent-encoded twin", async () => {
      const [plain, encoded] = [randomUUID(), randomUUID()];
      await store.saveLoginName("twin'one@contoso.com", plain);
      await store.saveLoginName("twin%27one@contoso.com", encoded);
      expect(await store.findUserIdByLoginName("twin'one@contoso.com")).toBe(plain);
      expect(await store.findUserIdByLoginName("twin%27one@contoso.com")).toBe(encoded);
    });

    it("returns undefined for a login name nobody has", async () => {
      expect(await store.findUserIdByLoginName("nobody-at-all@contoso.com")).toBeUndefined();
    });

    it("points a login name at a new owner only when unchanged since it was read", async () => {
      const [before, after, third] = [randomUUID(), randomUUID(), randomUUID()];
      expect(await store.saveLoginName("handed-over@contoso.com", before)).toBe("done");
      // Without the row's concurrency token, an existing name is never re-pointed.
      expect(await store.saveLoginName("handed-over@contoso.com", after)).toBe("taken");
      const read = await store.getLoginName("HANDED-OVER@contoso.com");
      expect(read?.userId).toBe(before);
      expect(await store.saveLoginName("handed-over@contoso.com", after, read?.etag)).toBe("done");
      expect(await store.saveLoginName("handed-over@contoso.com", third, read?.etag)).toBe("conflict");
      expect(await store.findUserIdByLoginName("handed-over@contoso.com")).toBe(after);
    });

    it("releases a login name's mapping only as it was read", async () => {
      const holder = randomUUID();
      await store.saveLoginName("released@contoso.com", holder);
      const read = await store.getLoginName("Released@contoso.com");
      if (!read) throw new Error("no mapping");
      await store.saveLoginName("released@contoso.com", randomUUID(), read.etag);
      expect(await store.releaseLoginName("Released@contoso.com", read.etag)).toBe("conflict");
      const again = await store.getLoginName("released@contoso.com");
      expect(await store.releaseLoginName("Released@contoso.com", again!.etag)).toBe("done");
      expect(await store.findUserIdByLoginName("released@contoso.com")).toBeUndefined();
      expect(await store.releaseLoginName("released@contoso.com", again!.etag)).toBe("not-found");
    });

    it("takes a released login name from its holder's record and marks it there, conditioned on the record", async () => {
      const userId = randomUUID();
      await store.register({ userId, loginName: "marked@contoso.com", registeredAt: new Date() });
      const user = (await store.getUser(userId))!;
      expect(user).toMatchObject({ loginName: "marked@contoso.com", releasedLoginNames: [] });
      expect(await store.markLoginNameReleased(user, "Marked@contoso.com")).toBe("done");
      expect(await store.markLoginNameReleased(user, "marked@contoso.com")).toBe("conflict");
      const after = (await store.getUser(userId))!;
      expect(after).toMatchObject({ loginName: "", releasedLoginNames: ["marked@contoso.com"] });
      // Verify reads no login name for the account now.
      expect((await store.getVerifyRows(userId, "00000000")).loginName).toBeUndefined();
    });

    it("forgets a login name only while it still points at the given user", async () => {
      const [owner, other] = [randomUUID(), randomUUID()];
      await store.saveLoginName("leaving@contoso.com", owner);
      await store.deleteLoginName("leaving@contoso.com", other);
      expect(await store.findUserIdByLoginName("leaving@contoso.com")).toBe(owner);
      await store.deleteLoginName("LEAVING@contoso.com", owner);
      expect(await store.findUserIdByLoginName("leaving@contoso.com")).toBeUndefined();
      await expect(store.deleteLoginName("leaving@contoso.com", owner)).resolves.toBeUndefined();
    });
  });

  describe("verify throttling", () => {
    const state: ThrottleState = {
      unfamiliarFailures: 3,
      ips: {
        "203.0.113.7": {
          failures: 10,
          lockouts: 1,
          lockedUntil: new Date("2026-01-01T00:01:00.000Z"),
          recentWrong: ["ab12", "cd34"],
          updatedAt: new Date("2026-01-01T00:00:00.000Z"),
        },
        "2001:db8:1:2::/64": {
          failures: 0,
          lockouts: 0,
          lastSuccessAt: new Date("2025-12-31T00:00:00.000Z"),
          recentWrong: [],
          updatedAt: new Date("2025-12-31T00:00:00.000Z"),
        },
      },
    };

    describe("touchAndSaveThrottle", () => {
      const lastUsedAt = new Date("2026-02-03T04:05:06.789Z");

      it("records the use and writes the throttling state together, creating its row when there is none", async () => {
        const { user, ids } = await userWith(1);
        const stored = (await storedAppPassword(user.userId, ids[0]!))!;
        const absent = await store.getThrottle(user.userId);
        expect(await store.touchAndSaveThrottle(stored, { lastUsedAt }, absent, state)).toBe("done");
        expect(await storedAppPassword(user.userId, ids[0]!)).toMatchObject({ lastUsedAt, hash: stored.hash });
        const written = await store.getThrottle(user.userId);
        expect(written.state).toEqual(state);
        const touched = (await storedAppPassword(user.userId, ids[0]!))!;
        expect(await store.touchAndSaveThrottle(touched, { lastUsedAt }, written, NO_THROTTLE)).toBe("done");
        expect((await store.getThrottle(user.userId)).state).toEqual(NO_THROTTLE);
      });

      it("writes neither when the throttling state changed since it was read", async () => {
        const { user, ids } = await userWith(1);
        const stored = (await storedAppPassword(user.userId, ids[0]!))!;
        const read = await store.getThrottle(user.userId);
        expect(await store.saveThrottle(user.userId, read, state)).not.toBe("conflict");
        expect(await store.touchAndSaveThrottle(stored, { lastUsedAt }, read, NO_THROTTLE)).toBe("conflict");
        expect((await storedAppPassword(user.userId, ids[0]!))!.lastUsedAt).toBeUndefined();
        expect((await store.getThrottle(user.userId)).state).toEqual(state);
      });

      it("writes neither when the app password changed or was deleted since it was read", async () => {
        const { user, ids } = await userWith(2);
        const [first, second] = [
          (await storedAppPassword(user.userId, ids[0]!))!,
          (await storedAppPassword(user.userId, ids[1]!))!,
        ];
        await store.touchAppPassword(first, { lastUsedAt: new Date("2026-01-01T00:00:00Z") });
        expect(await store.removeAppPasswords(user, [ids[1]!])).toBe("done");
        for (const stale of [first, second]) {
          const read = await store.getThrottle(user.userId);
          expect(await store.touchAndSaveThrottle(stale, { lastUsedAt }, read, state)).toBe("conflict");
          expect((await store.getThrottle(user.userId)).etag).toBe(read.etag);
        }
        expect((await storedAppPassword(user.userId, ids[0]!))!.lastUsedAt).toEqual(new Date("2026-01-01T00:00:00Z"));
        expect(await storedAppPassword(user.userId, ids[1]!)).toBeUndefined();
      });
    });

    it("reads nothing for an owner with no row yet, then what was written, dates included", async () => {
      const owner = randomUUID();
      const empty = await store.getThrottle(owner);
      expect(empty).toEqual({ state: NO_THROTTLE });
      expect(await store.saveThrottle(owner, empty, state)).not.toBe("conflict");
      const read = await store.getThrottle(owner);
      expect(read.state).toEqual(state);
      expect(read.etag).toEqual(expect.any(String));
    });

    it("writes the row in the owner's own partition, beside their app passwords", async () => {
      const { user, ids } = await userWith(2);
      expect(await store.saveThrottle(user.userId, await store.getThrottle(user.userId), state)).not.toBe("conflict");
      const rowKeys = (await rowsOf(user.userId)).map((row) => row.rowKey);
      expect(rowKeys.sort()).toEqual([...ids.map((id) => `ap_${id}`), "throttle", "user"].sort());
    });

    it("returns conflict when the row was written since it was read, or created meanwhile", async () => {
      const owner = randomUUID();
      const absent = await store.getThrottle(owner);
      expect(await store.saveThrottle(owner, absent, state)).not.toBe("conflict");
      expect(await store.saveThrottle(owner, absent, NO_THROTTLE)).toBe("conflict");
      const read = await store.getThrottle(owner);
      expect(await store.saveThrottle(owner, read, { ...state, unfamiliarFailures: 4 })).not.toBe("conflict");
      expect(await store.saveThrottle(owner, read, NO_THROTTLE)).toBe("conflict");
      expect((await store.getThrottle(owner)).state.unfamiliarFailures).toBe(4);
    });

    it("returns the state as written, with the concurrency token the next conditional write needs", async () => {
      const owner = randomUUID();
      const first = await store.saveThrottle(owner, await store.getThrottle(owner), state);
      if (first === "conflict") throw new Error("the first write of a new row lost a race");
      expect(first.state).toEqual(state);
      expect(first.etag).toBe((await store.getThrottle(owner)).etag);
      const second = await store.saveThrottle(owner, first, { ...state, unfamiliarFailures: 7 });
      expect(second).not.toBe("conflict");
      expect(await store.saveThrottle(owner, first, NO_THROTTLE)).toBe("conflict");
      expect((await store.getThrottle(owner)).state.unfamiliarFailures).toBe(7);
    });

    it("reads the candidate and the throttling state in one request", async () => {
      const { user, ids } = await userWith(3);
      await store.saveThrottle(user.userId, await store.getThrottle(user.userId), state);
      const rows = await store.getVerifyRows(user.userId, ids[1]!);
      expect(rows.candidate).toMatchObject({ userId: user.userId, id: ids[1] });
      expect(rows.throttle.state).toEqual(state);
      const unknown = await store.getVerifyRows(user.userId, "00000000");
      expect(unknown.candidate).toBeUndefined();
      expect(unknown.throttle.state).toEqual(state);
      expect(await store.getVerifyRows(randomUUID(), ids[1]!)).toEqual({ throttle: { state: NO_THROTTLE } });
    });

    it("treats an unreadable list of IPs as none, keeping the row's counts, so the next write replaces it", async () => {
      const owner = randomUUID();
      await table.createEntity({ partitionKey: owner, rowKey: "throttle", UnfamiliarFailures: 7, Ips: "{not json" });
      const read = await store.getThrottle(owner);
      expect(read.state).toEqual({ unfamiliarFailures: 7, ips: {} });
      expect(await store.saveThrottle(owner, read, state)).not.toBe("conflict");
      expect((await store.getThrottle(owner)).state).toEqual(state);
    });

    it("forgets the state on reset, and says whether there was any", async () => {
      const owner = randomUUID();
      await store.saveThrottle(owner, await store.getThrottle(owner), state);
      expect(await store.resetThrottle(owner)).toBe(1);
      expect(await store.getThrottle(owner)).toEqual({ state: NO_THROTTLE });
      expect(await store.resetThrottle(owner)).toBe(0);
    });
  });

  describe("forgetQuietThrottles", () => {
    // A table of its own: it deletes throttling rows table-wide.
    const quietTable = freshTableName();
    let quiet: AppPasswordStore;
    let rows: TableClient;
    const throttled: ThrottleState = { unfamiliarFailures: 1, ips: {} };

    beforeAll(() => {
      quiet = azuriteStore(quietTable);
      rows = TableClient.fromConnectionString(connectionString, quietTable, clientOptions);
    });

    const allRows = async () => {
      const found: string[] = [];
      for await (const row of rows.listEntities()) found.push(`${row.partitionKey}/${row.rowKey}`);
      return found.sort();
    };

    it("deletes the throttling rows last written before the given time, more than a page of them, and nothing else", async () => {
      const registration = newUser();
      expect(await quiet.register(registration, appPassword(registration.userId))).toBe("done");
      // 150 owners: more than one page of the scan. One is the registered user, the rest unknown login names.
      const owners = [registration.userId, ...Array.from({ length: 149 }, (_, i) => `unknown_${i}`)];
      for (const owner of owners)
        expect(await quiet.saveThrottle(owner, { state: NO_THROTTLE }, throttled)).not.toBe("conflict");
      const written = await allRows();
      expect(written).toHaveLength(152);

      // Storage stamps rows with its own clock: a minute either side keeps clear of any skew.
      expect(await quiet.forgetQuietThrottles(new Date(Date.now() - 60_000))).toBe(0);
      expect(await allRows()).toEqual(written);

      expect(await quiet.forgetQuietThrottles(new Date(Date.now() + 60_000))).toBe(150);
      const left = await allRows();
      expect(left).toHaveLength(2);
      expect(left.every((row) => !row.endsWith("/throttle"))).toBe(true);
      expect(await quiet.getUser(registration.userId)).toBeDefined();
      expect(await quiet.forgetQuietThrottles(new Date(Date.now() + 60_000))).toBe(0);
    });

    it("keeps a row written between the scan that found it and its delete", async () => {
      const owners = ["unknown_raced", "unknown_calm"];
      for (const owner of owners)
        expect(await quiet.saveThrottle(owner, { state: NO_THROTTLE }, throttled)).not.toBe("conflict");
      // A verify failure lands on the first row deleted, just before its delete reaches storage.
      let raced: string | undefined;
      const proxy = await startCountingProxy(connectionString, {
        async beforeForward({ method, path }) {
          if (method !== "DELETE" || raced !== undefined) return;
          raced = /PartitionKey='([^']+)'/.exec(decodeURIComponent(path))?.[1] ?? "";
          const current = await quiet.getThrottle(raced);
          expect(await quiet.saveThrottle(raced, current, { unfamiliarFailures: 2, ips: {} })).not.toBe("conflict");
        },
      });
      try {
        const throughProxy = azuriteStore(quietTable, proxy.connectionString);
        expect(await throughProxy.forgetQuietThrottles(new Date(Date.now() + 60_000))).toBe(1);
      } finally {
        await proxy.close();
      }
      expect(owners).toContain(raced);
      expect((await quiet.getThrottle(raced ?? "")).state.unfamiliarFailures).toBe(2);
      const other = owners.find((owner) => owner !== raced) ?? "";
      expect(await quiet.getThrottle(other)).toEqual({ state: NO_THROTTLE });
    });
  });
});

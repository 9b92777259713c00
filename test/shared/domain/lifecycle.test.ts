import { describe, expect, it } from "vitest";
import type { ActivityEvent } from "../../../shared/domain/activity";
import type {
  AppPasswordRequest,
  AppPasswordService,
  AppPasswordPolicy,
} from "../../../shared/domain/appPasswordService";
import type { Principal } from "../../../shared/domain/principal";
import type { Protocol } from "../../../shared/domain/protocols";
import { principal, uniqueLogin } from "../../support/fixtures";
import { DAY_MS, DEFAULT_POLICY, domainFixture } from "../../support/domainFixture";

// Get, rename, restrictions, activity and clean-up, over the real store (Azurite) and real argon2.
const fixture = domainFixture();
const { clock, counts, later } = fixture;
const store = fixture.store();
/** A service with the default policy but for `policy`. */
const newService = (policy: Partial<AppPasswordPolicy> = {}) =>
  fixture.newService({ policy: { ...DEFAULT_POLICY, ...policy } });
const service = newService();
const admin = principal("admin@contoso.com", { isAdmin: true });

const registered = (prefix: string, on: AppPasswordService = service) => fixture.registered(prefix, on);
const created = (person: Principal, request: AppPasswordRequest, on: AppPasswordService = service) =>
  fixture.created(person, request, on);

const login = (user: string, password: string, protocol: Protocol = "imap", clientIp = "203.0.113.7") =>
  service.verify({ user, password, clientIp, protocol });

async function activityOf(userId: string): Promise<ActivityEvent[]> {
  const outcome = await service.listActivity(admin, userId, 100);
  if (outcome.code !== "ACTIVITY") throw new Error(outcome.code);
  return [...outcome.page.items];
}

describe("lifecycle", () => {
  describe("restrictions applied by verify", () => {
    it("refuses another protocol or address, counted as a failure, after the one argon2 verification", async () => {
      const { person } = await registered("restricted");
      const phone = await created(person, {
        name: "Phone",
        protocols: ["imap", "smtp"],
        allowedIps: ["203.0.113.0/24"],
      });
      expect(phone).toMatchObject({ protocols: ["imap", "smtp"], allowedIps: ["203.0.113.0/24"] });

      counts.verify = 0;
      expect(await login(person.loginName, phone.password, "pop3")).toEqual({ code: "INVALID" });
      expect(await login(person.loginName, phone.password, "imap", "198.51.100.1")).toEqual({ code: "INVALID" });
      expect(counts.verify).toBe(2);
      const { state } = await store.getThrottle(person.userId);
      expect(state.ips["203.0.113.7"]?.failures).toBe(1);
      expect(state.ips["198.51.100.1"]?.failures).toBe(1);
      expect(await login(person.loginName, phone.password, "smtp")).toMatchObject({ code: "VALID" });
    });

    it("stops verifying at expiry, lists it as expired, and keeps it until clean-up", async () => {
      const { person } = await registered("expiring");
      const shortLived = await created(person, { name: "Loaner", expiresInDays: 1 });
      expect(shortLived.expiresAt?.getTime()).toBe(clock.now.getTime() + DAY_MS);
      expect(shortLived.expired).toBe(false);
      expect(await login(person.loginName, shortLived.password)).toMatchObject({ code: "VALID" });
      later(DAY_MS);
      counts.verify = 0;
      expect(await login(person.loginName, shortLived.password)).toEqual({ code: "INVALID" });
      expect(counts.verify).toBe(1);
      const got = await service.get(person, person.userId, shortLived.id);
      expect(got).toMatchObject({ code: "FOUND", item: { id: shortLived.id, expired: true } });
    });

    it("gives the tenant's longest lifetime by default, and refuses a longer one", async () => {
      const capped = newService({ maxLifetimeDays: 90 });
      const { person, initial } = await registered("capped", capped);
      expect(initial.expiresAt?.getTime()).toBe(clock.now.getTime() + 90 * DAY_MS);
      expect((await created(person, { name: "Default" }, capped)).expiresAt?.getTime()).toBe(
        clock.now.getTime() + 90 * DAY_MS,
      );
      expect((await created(person, { name: "Short", expiresInDays: 7 }, capped)).expiresAt?.getTime()).toBe(
        clock.now.getTime() + 7 * DAY_MS,
      );
      expect(await capped.create(person, person.userId, { name: "Long", expiresInDays: 91 })).toMatchObject({
        code: "LIFETIME_TOO_LONG",
        maxDays: 90,
      });
      expect((await store.listAppPasswords(person.userId)).length).toBe(3);
    });
  });

  describe("get and rename", () => {
    it("renames without touching the hash or restrictions, and the app password keeps working", async () => {
      const { person } = await registered("renamer");
      const phone = await created(person, { name: "Phone", protocols: ["eas"] });
      const before = await store.getAppPassword(person.userId, phone.id);
      later(1000);
      const renamed = await service.rename(person, person.userId, phone.id, "Work phone");
      expect(renamed).toMatchObject({
        code: "RENAMED",
        item: { id: phone.id, name: "Work phone", protocols: ["eas"] },
      });
      const after = await store.getAppPassword(person.userId, phone.id);
      expect(after).toMatchObject({ name: "Work phone", hash: before?.hash, protocols: ["eas"] });
      expect(await login(person.loginName, phone.password, "eas")).toMatchObject({ code: "VALID" });
      expect((await activityOf(person.userId)).find((event) => event.event === "renamed")).toMatchObject({
        event: "renamed",
        appPasswordId: phone.id,
        name: "Work phone",
        previousName: "Phone",
        by: "user",
      });
    });

    it("answers APP_PASSWORD_NOT_FOUND for an unknown id, and FORBIDDEN for someone else's", async () => {
      const { person, initial } = await registered("getter");
      const mallory = principal(uniqueLogin("mallory"));
      expect(await service.get(person, person.userId, "0badc0de")).toMatchObject({ code: "APP_PASSWORD_NOT_FOUND" });
      expect(await service.rename(person, person.userId, "0badc0de", "x")).toMatchObject({
        code: "APP_PASSWORD_NOT_FOUND",
      });
      expect(await service.get(mallory, person.userId, initial.id)).toMatchObject({ code: "FORBIDDEN" });
      expect(await service.rename(mallory, person.userId, initial.id, "x")).toMatchObject({ code: "FORBIDDEN" });
      expect(await service.get(admin, person.userId, initial.id)).toMatchObject({ code: "FOUND" });
    });
  });

  describe("activity", () => {
    it("records creation, deletion by the user and by an admin, first use from each new address, and lockouts", async () => {
      const { person, initial } = await registered("watched");
      later(1000);
      const phone = await created(person, { name: "Phone" });
      later(1000);
      expect(await login(person.loginName, initial.password, "imap", "203.0.113.7")).toMatchObject({ code: "VALID" });
      // The same address again, and the same /64 of IPv6: nothing new.
      later(1000);
      expect(await login(person.loginName, initial.password, "imap", "203.0.113.7")).toMatchObject({ code: "VALID" });
      later(1000);
      expect(await login(person.loginName, initial.password, "smtp", "2001:db8:1:2::5")).toMatchObject({
        code: "VALID",
      });
      later(1000);
      expect(await login(person.loginName, initial.password, "smtp", "2001:db8:1:2::6")).toMatchObject({
        code: "VALID",
      });
      later(1000);
      for (let i = 0; i < 10; i++) {
        await login(person.loginName, `wrongpassword${String.fromCharCode(97 + i)}aa`, "imap", "198.51.100.66");
      }
      later(1000);
      expect(await service.remove(person, person.userId, phone.id)).toEqual({ code: "REMOVED", count: 1 });
      later(1000);
      expect(await service.removeAll(admin, person.userId)).toEqual({ code: "REMOVED", count: 1 });

      const events = await activityOf(person.userId);
      expect(events).toEqual(
        [
          {
            event: "deleted",
            appPasswordId: initial.id,
            name: initial.name,
            by: "admin",
            adminLoginName: admin.loginName,
            adminUserId: admin.userId,
          },
          { event: "deleted", appPasswordId: phone.id, name: "Phone", by: "user" },
          { event: "verify-locked-out", ip: "198.51.100.66" },
          {
            event: "first-use-from-new-address",
            appPasswordId: initial.id,
            name: initial.name,
            ip: "2001:db8:1:2::5",
            protocol: "smtp",
          },
          {
            event: "first-use-from-new-address",
            appPasswordId: initial.id,
            name: initial.name,
            ip: "203.0.113.7",
            protocol: "imap",
          },
          { event: "created", appPasswordId: phone.id, name: "Phone", by: "user" },
          { event: "created", appPasswordId: initial.id, name: initial.name, by: "user" },
        ].map((event) => ({ ...event, at: expect.any(Date) })),
      );
      // Nothing in it could be a secret.
      expect(JSON.stringify(events)).not.toContain(initial.password);
      expect(JSON.stringify(events)).not.toContain("argon2");
    });

    it("pages newest first with a continuation, and only its owner and admins read it", async () => {
      const { person } = await registered("pager");
      for (let i = 1; i <= 4; i++) {
        later(1000);
        await created(person, { name: `Device ${i}` });
      }
      const names: (string | undefined)[] = [];
      let continuation: string | undefined;
      let pages = 0;
      do {
        const outcome = await service.listActivity(person, person.userId, 2, continuation);
        if (outcome.code !== "ACTIVITY") throw new Error(outcome.code);
        expect(outcome.page.items.length).toBeLessThanOrEqual(2);
        names.push(...outcome.page.items.map((event) => event.name));
        continuation = outcome.page.continuation;
        pages++;
      } while (continuation !== undefined);
      expect(names).toEqual(["Device 4", "Device 3", "Device 2", "Device 1", "Initial app password"]);
      expect(pages).toBe(3);
      const other = principal(uniqueLogin("nosy"));
      expect(await service.listActivity(other, person.userId, 10)).toMatchObject({ code: "FORBIDDEN" });
      expect(await service.listActivity(person, person.userId, 10, "bm90LWFuLWV2ZW50")).toMatchObject({
        code: "INVALID_CONTINUATION",
      });
    });
  });

  describe("resolveUser", () => {
    it("resolves a login name in any case for an admin, and refuses anyone else naming another person", async () => {
      const { person } = await registered("named");
      expect(await service.resolveUser(admin, person.loginName.toUpperCase())).toEqual({
        code: "RESOLVED",
        userId: person.userId,
      });
      expect(await service.resolveUser(admin, "nobody-at-all@contoso.com")).toMatchObject({ code: "USER_NOT_FOUND" });
      expect(await service.resolveUser(person, person.loginName.toUpperCase())).toEqual({
        code: "RESOLVED",
        userId: person.userId,
      });
      const other = principal(uniqueLogin("other"));
      expect(await service.resolveUser(other, person.loginName)).toMatchObject({ code: "FORBIDDEN" });
      expect(await service.resolveUser(other, "nobody-at-all@contoso.com")).toMatchObject({ code: "FORBIDDEN" });
    });
  });
});

describe("cleanUp, the daily timer's work", () => {
  // A table of its own: the clean-up scans everything in it.
  const tidy = domainFixture();
  const own = tidy.store();
  const at = tidy.clock;
  at.now = new Date("2026-06-01T00:00:00.000Z");
  const cleaner = (policy: Partial<AppPasswordPolicy> = {}) =>
    tidy.newService({ policy: { ...DEFAULT_POLICY, maxPerUser: 3, ...policy } });

  it("deletes expired ones 30 days after expiry and unused ones under the policy, keeping every count exact", async () => {
    const plain = cleaner();
    const person = principal(uniqueLogin("tidy"));
    const first = await plain.register(person, person.userId);
    if (first.code !== "REGISTERED" || !first.appPassword) throw new Error("not registered");
    const expiring = await plain.create(person, person.userId, { name: "Loaner", expiresInDays: 1 });
    const used = await plain.create(person, person.userId, { name: "Phone" });
    if (expiring.code !== "CREATED" || used.code !== "CREATED") throw new Error("not created");
    expect(await plain.create(person, person.userId, { name: "Fourth" })).toMatchObject({
      code: "APP_PASSWORD_LIMIT_REACHED",
    });

    // 30 days after expiry: not yet. A day later: gone, and the count with it.
    at.now = new Date(at.now.getTime() + 31 * DAY_MS - 1);
    expect(await plain.cleanUp()).toMatchObject({ expired: 0, unused: 0 });
    at.now = new Date(at.now.getTime() + 1);
    expect(
      await plain.verify({
        user: person.loginName,
        password: used.appPassword.password,
        clientIp: "203.0.113.9",
        protocol: "imap",
      }),
    ).toMatchObject({ code: "VALID" });
    expect(await plain.cleanUp()).toMatchObject({ expired: 1, unused: 0, contended: 0 });
    expect((await own.getUser(person.userId))?.appPasswordCount).toBe(2);

    // The initial one, never used, was made 51 days ago; the other was used 20 days ago and stays.
    at.now = new Date(at.now.getTime() + 20 * DAY_MS);
    expect(await cleaner({ deleteUnusedAfterDays: 60 }).cleanUp()).toMatchObject({ expired: 0, unused: 0 });
    expect(await cleaner({ deleteUnusedAfterDays: 50 }).cleanUp()).toMatchObject({ expired: 0, unused: 1 });
    expect((await own.listAppPasswords(person.userId)).map((stored) => stored.id)).toEqual([used.appPassword.id]);
    expect((await own.getUser(person.userId))?.appPasswordCount).toBe(1);

    // The counts allow exactly two more.
    expect(await plain.create(person, person.userId, { name: "Tablet" })).toMatchObject({ code: "CREATED" });
    expect(await plain.create(person, person.userId, { name: "Laptop" })).toMatchObject({ code: "CREATED" });
    expect(await plain.create(person, person.userId, { name: "Fourth" })).toMatchObject({
      code: "APP_PASSWORD_LIMIT_REACHED",
    });

    const log = await plain.listActivity(person, person.userId, 100);
    if (log.code !== "ACTIVITY") throw new Error(log.code);
    const cleaned = log.page.items.filter((event) => event.by === "clean-up");
    expect(cleaned.map((event) => [event.event, event.appPasswordId])).toEqual([
      ["deleted", first.appPassword.id],
      ["deleted", expiring.appPassword.id],
    ]);

    // 90 days on, everything logged before then is pruned.
    at.now = new Date(at.now.getTime() + 91 * DAY_MS);
    const pruned = await plain.cleanUp();
    expect(pruned.events).toBeGreaterThanOrEqual(log.page.items.length);
    const after = await plain.listActivity(person, person.userId, 100);
    expect(after).toEqual({ code: "ACTIVITY", page: { items: [] } });
  });
});

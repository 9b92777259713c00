import { describe, expect, it } from "vitest";
import { INITIAL_APP_PASSWORD_NAME, type AppPasswordService } from "../../../shared/domain/appPasswordService";
import type { Principal } from "../../../shared/domain/principal";
import { LAST_USED_RESOLUTION_MS } from "../../../shared/domain/verify";
import { createArgon2Hasher } from "../../../shared/adapters/argon2Hasher";
import { NO_THROTTLE } from "../../../shared/domain/verifyThrottle";
import { DAY_MS, domainFixture } from "../../support/domainFixture";
import { principal, uniqueLogin } from "../../support/fixtures";
import { azuriteStore, freshTableName } from "../../support/testService";

// The domain over the real Table Storage store (Azurite) and real argon2, at the lowest cost accepted.
const fixture = domainFixture();
const { clock, newService } = fixture;
const store = fixture.store();
/** The app password as stored, read the way verify reads it. */
const storedAppPassword = async (userId: string, id: string) => (await store.getVerifyRows(userId, id)).candidate;

const service = newService();
const disabled = newService({ policy: { appPasswordsAllowed: false, maxPerUser: 40 } });
const admin = principal("admin@contoso.com", { isAdmin: true });
/** The address a mail gateway reports for the client. */
const GATEWAY_IP = "203.0.113.7";

/** Verify as a mail gateway calls it, from one client address. */
const check = (on: AppPasswordService, user: string, password: string) =>
  on.verify({ user, password, clientIp: GATEWAY_IP, protocol: "imap" });

const registered = (prefix: string, on: AppPasswordService = service) => fixture.registered(prefix, on);
const created = (person: Principal, name = "Phone", on: AppPasswordService = service) =>
  fixture.created(person, name, on);

const countOf = async (userId: string) => (await store.listAppPasswords(userId)).length;

describe("createAppPasswordService", () => {
  describe("register", () => {
    it("gives the initial app password at the first registration, and none after", async () => {
      const person = principal(uniqueLogin("first"));
      const first = await service.register(person, person.userId);
      expect(first).toMatchObject({ code: "REGISTERED", registeredAt: clock.now });
      if (first.code !== "REGISTERED") return;
      expect(first.appPassword).toMatchObject({
        name: INITIAL_APP_PASSWORD_NAME,
        id: expect.stringMatching(/^[0-9a-f]{8}$/),
      });
      expect(first.appPassword?.password).toMatch(/^[a-z]{16}$/);
      expect(await check(service, person.loginName, first.appPassword!.password)).toMatchObject({ code: "VALID" });

      const again = await service.register(person, person.userId);
      expect(again).toEqual({ code: "ALREADY_REGISTERED", registeredAt: first.registeredAt });
      expect(await countOf(person.userId)).toBe(1);
    });

    it("names the initial app password as asked", async () => {
      const person = principal(uniqueLogin("named"));
      const outcome = await service.register(person, person.userId, "Alice's iPhone");
      expect(outcome).toMatchObject({ code: "REGISTERED", appPassword: { name: "Alice's iPhone" } });
    });
  });

  describe("create", () => {
    it("refuses before registration, saying to register first", async () => {
      const person = principal(uniqueLogin("unregistered"));
      expect(await service.create(person, person.userId, { name: "Phone" })).toMatchObject({
        code: "REGISTRATION_REQUIRED",
        detail: expect.stringMatching(/registration/),
      });
      expect(await store.getUser(person.userId)).toBeUndefined();
    });

    it("creates up to the limit and then refuses, telling the user to delete one first", async () => {
      const small = newService({ policy: { appPasswordsAllowed: true, maxPerUser: 3 } });
      const { person } = await registered("limited", small);
      await created(person, "Two", small);
      await created(person, "Three", small);
      const refused = await small.create(person, person.userId, { name: "Four" });
      expect(refused).toMatchObject({ code: "APP_PASSWORD_LIMIT_REACHED", limit: 3 });
      if (refused.code === "APP_PASSWORD_LIMIT_REACHED") {
        expect(refused.detail).toMatch(/delete one of your existing app passwords/i);
      }
      expect(await countOf(person.userId)).toBe(3);
      expect(await store.getUser(person.userId)).toMatchObject({ appPasswordCount: 3 });
    });

    it("returns SELF_SERVICE_ONLY when an admin creates one for another user, and writes nothing", async () => {
      const { person } = await registered("target");
      expect(await service.create(admin, person.userId, { name: "Planted" })).toMatchObject({
        code: "SELF_SERVICE_ONLY",
      });
      expect(await countOf(person.userId)).toBe(1);
    });
  });

  describe("list and remove", () => {
    it("lists oldest first, without secrets", async () => {
      const { person } = await registered("lister");
      clock.now = new Date(clock.now.getTime() + 1000);
      await created(person, "Later");
      const outcome = await service.list(person, person.userId);
      expect(outcome).toMatchObject({ code: "LISTED", limit: 40 });
      if (outcome.code !== "LISTED") return;
      expect(outcome.items.map((item) => item.name)).toEqual([INITIAL_APP_PASSWORD_NAME, "Later"]);
      for (const item of outcome.items) expect(Object.keys(item).sort()).toEqual(["createdAt", "id", "name"]);
    });

    it("removes one app password, which stops verifying at once", async () => {
      const { person, initial } = await registered("remover");
      const kept = await created(person, "Kept");
      expect(await service.remove(person, person.userId, initial.id)).toEqual({ code: "REMOVED", count: 1 });
      expect(await check(service, person.loginName, initial.password)).toEqual({ code: "INVALID" });
      expect(await check(service, person.loginName, kept.password)).toMatchObject({ code: "VALID" });
      expect(await store.getUser(person.userId)).toMatchObject({ appPasswordCount: 1 });
    });

    it("returns APP_PASSWORD_NOT_FOUND for an unknown id or an unregistered user", async () => {
      const { person } = await registered("missing");
      expect(await service.remove(person, person.userId, "0badc0de")).toMatchObject({
        code: "APP_PASSWORD_NOT_FOUND",
      });
      const stranger = principal(uniqueLogin("stranger"));
      expect(await service.remove(stranger, stranger.userId, "0badc0de")).toMatchObject({
        code: "APP_PASSWORD_NOT_FOUND",
      });
      expect(await countOf(person.userId)).toBe(1);
    });

    it("removes all of a user's app passwords", async () => {
      const { person, initial } = await registered("wiper");
      await created(person, "Two");
      expect(await service.removeAll(person, person.userId)).toEqual({ code: "REMOVED", count: 2 });
      expect(await countOf(person.userId)).toBe(0);
      expect(await store.getUser(person.userId)).toMatchObject({ appPasswordCount: 0 });
      expect(await check(service, person.loginName, initial.password)).toEqual({ code: "INVALID" });
      expect(await service.removeAll(person, person.userId)).toEqual({ code: "REMOVED", count: 0 });
    });
  });

  describe("who may act on whose app passwords", () => {
    it("returns FORBIDDEN to a non-admin acting on another user, and changes nothing", async () => {
      const { person: victim, initial } = await registered("victim");
      const mallory = (await registered("mallory")).person;
      expect(await service.list(mallory, victim.userId)).toMatchObject({ code: "FORBIDDEN" });
      expect(await service.create(mallory, victim.userId, { name: "Planted" })).toMatchObject({ code: "FORBIDDEN" });
      expect(await service.remove(mallory, victim.userId, initial.id)).toMatchObject({ code: "FORBIDDEN" });
      expect(await service.removeAll(mallory, victim.userId)).toMatchObject({ code: "FORBIDDEN" });
      expect(await service.register(mallory, victim.userId)).toMatchObject({ code: "FORBIDDEN" });
      expect(await countOf(victim.userId)).toBe(1);
      expect(await check(service, victim.loginName, initial.password)).toMatchObject({ code: "VALID" });
    });

    it("lets an admin list and delete another user's app passwords", async () => {
      const { person } = await registered("managed");
      const second = await created(person, "Second");
      expect(await service.list(admin, person.userId)).toMatchObject({ code: "LISTED", items: expect.any(Array) });
      expect(await service.remove(admin, person.userId, second.id)).toEqual({ code: "REMOVED", count: 1 });
      expect(await service.removeAll(admin, person.userId)).toEqual({ code: "REMOVED", count: 1 });
      expect(await countOf(person.userId)).toBe(0);
    });

    it("returns SELF_SERVICE_ONLY when an admin registers another user", async () => {
      const person = principal(uniqueLogin("not-yet"));
      expect(await service.register(admin, person.userId)).toMatchObject({ code: "SELF_SERVICE_ONLY" });
      expect(await store.getUser(person.userId)).toBeUndefined();
    });
  });

  describe("with the tenant policy switched off", () => {
    it("refuses the user create, list and delete with APP_PASSWORDS_DISABLED", async () => {
      const { person, initial } = await registered("policy-user");
      expect(await disabled.create(person, person.userId, { name: "Phone" })).toMatchObject({
        code: "APP_PASSWORDS_DISABLED",
      });
      expect(await disabled.list(person, person.userId)).toMatchObject({ code: "APP_PASSWORDS_DISABLED" });
      expect(await disabled.remove(person, person.userId, initial.id)).toMatchObject({
        code: "APP_PASSWORDS_DISABLED",
      });
      expect(await disabled.removeAll(person, person.userId)).toMatchObject({ code: "APP_PASSWORDS_DISABLED" });
      expect(await countOf(person.userId)).toBe(1);
    });

    it("refuses an admin creating their own app password", async () => {
      const self = principal(uniqueLogin("policy-admin"), { isAdmin: true });
      await service.register(self, self.userId);
      expect(await disabled.create(self, self.userId, { name: "Phone" })).toMatchObject({
        code: "APP_PASSWORDS_DISABLED",
      });
    });

    it("lets an admin still list and delete a user's app passwords", async () => {
      const { person } = await registered("policy-managed");
      const second = await created(person, "Second");
      expect(await disabled.list(admin, person.userId)).toMatchObject({ code: "LISTED" });
      expect(await disabled.remove(admin, person.userId, second.id)).toEqual({ code: "REMOVED", count: 1 });
      expect(await disabled.removeAll(admin, person.userId)).toEqual({ code: "REMOVED", count: 1 });
    });

    it("registers without giving an app password", async () => {
      const person = principal(uniqueLogin("policy-new"));
      const outcome = await disabled.register(person, person.userId);
      expect(outcome).toEqual({ code: "REGISTERED", registeredAt: clock.now });
      expect(await store.getUser(person.userId)).toMatchObject({ appPasswordCount: 0 });
      expect(await countOf(person.userId)).toBe(0);
    });

    it("keeps existing app passwords working for sign-in", async () => {
      const { person, initial } = await registered("policy-signin");
      expect(await check(disabled, person.loginName, initial.password)).toEqual({
        code: "VALID",
        userId: person.userId,
        loginName: person.loginName,
        appPasswordId: initial.id,
      });
      expect(await check(disabled, person.userId, initial.password)).toMatchObject({ code: "VALID" });
    });
  });

  describe("verify", () => {
    it("accepts the login name or the object id, in any case, and the password as typed on a phone", async () => {
      const { person, initial } = await registered("typist");
      const grouped = initial.password.replace(/(.{4})(?!$)/g, "$1 ").toUpperCase();
      const expected = {
        code: "VALID",
        userId: person.userId,
        loginName: person.loginName,
        appPasswordId: initial.id,
      };
      expect(await check(service, person.loginName.toUpperCase(), grouped)).toEqual(expected);
      expect(await check(service, person.userId.toUpperCase(), initial.password)).toEqual(expected);
    });

    it("answers INVALID for a wrong password, an unknown login name and an unknown object id", async () => {
      const { person, initial } = await registered("denied");
      expect(await check(service, person.loginName, "aaaaaaaaaaaaaaaa")).toEqual({ code: "INVALID" });
      expect(await check(service, uniqueLogin("ghost"), initial.password)).toEqual({ code: "INVALID" });
      expect(await check(service, principal("x").userId, initial.password)).toEqual({ code: "INVALID" });
      expect(await check(service, person.loginName, "")).toEqual({ code: "INVALID" });
    });

    it("does not accept one user's app password for another user", async () => {
      const alice = await registered("alice");
      const bob = await registered("bob");
      expect(await check(service, bob.person.loginName, alice.initial.password)).toEqual({ code: "INVALID" });
    });

    describe("when a failure's count cannot be written", () => {
      const { counts } = fixture;
      const losing = newService({ store: { ...store, saveThrottle: () => Promise.resolve("conflict" as const) } });

      it("answers CONTENTION without checking the password: never an uncounted check", async () => {
        const { person } = await registered("uncountable");
        counts.verify = 0;
        expect(await check(losing, person.loginName, "aaaaaaaaaaaaaaaa")).toMatchObject({ code: "CONTENTION" });
        expect(await check(losing, uniqueLogin("ghost"), "aaaaaaaaaaaaaaaa")).toMatchObject({ code: "CONTENTION" });
        expect(counts.verify).toBe(0);
      });

      it("still verifies a phone's password from its familiar address, which writes nothing", async () => {
        const { person, initial } = await registered("syncing");
        expect(await check(service, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
        expect(await check(losing, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
        // The right one from a new address must write its count first, and cannot.
        expect(
          await losing.verify({
            user: person.loginName,
            password: initial.password,
            clientIp: "198.51.100.4",
            protocol: "imap",
          }),
        ).toMatchObject({
          code: "CONTENTION",
        });
      });
    });
  });

  describe("when a first use's one transaction loses a race", () => {
    const racing = newService({
      store: { ...store, touchAndSaveThrottle: () => Promise.resolve("conflict" as const) },
    });

    it("still records the use and undoes its own failure count, each write on its own", async () => {
      const { person, initial } = await registered("raced");
      const clientIp = "198.51.100.9";
      const first = { user: person.loginName, password: initial.password, clientIp, protocol: "imap" as const };
      expect(await racing.verify(first)).toMatchObject({ code: "VALID" });
      expect((await store.getAppPassword(person.userId, initial.id))?.lastUsedAt).toEqual(clock.now);
      const { state } = await store.getThrottle(person.userId);
      expect(state.unfamiliarFailures).toBe(0);
      expect(state.ips[clientIp]).toMatchObject({ failures: 0, lastSuccessAt: clock.now });
    });
  });

  describe("when the login name changes (same object id, new UPN)", () => {
    it("verifies with the new login name and no longer with the old, after the next registration call", async () => {
      const { person, initial } = await registered("before-reg");
      const renamed = { ...person, loginName: uniqueLogin("after-reg") };
      expect(await service.register(renamed, renamed.userId)).toMatchObject({ code: "ALREADY_REGISTERED" });
      expect(await check(service, renamed.loginName, initial.password)).toMatchObject({ code: "VALID" });
      expect(await check(service, person.loginName, initial.password)).toEqual({ code: "INVALID" });
    });

    it("verifies with the new login name and no longer with the old, after the next create", async () => {
      const { person, initial } = await registered("before-create");
      const renamed = { ...person, loginName: uniqueLogin("after-create") };
      await created(renamed, "New phone");
      expect(await check(service, renamed.loginName, initial.password)).toMatchObject({ code: "VALID" });
      expect(await check(service, person.loginName, initial.password)).toEqual({ code: "INVALID" });
      expect(await store.getUser(person.userId)).toMatchObject({ loginName: renamed.loginName });
    });

    it("verifies with the original login name again when it changes back", async () => {
      const { person, initial } = await registered("boomerang");
      const renamed = { ...person, loginName: uniqueLogin("interim") };
      await service.register(renamed, renamed.userId);
      await service.register(person, person.userId);
      expect(await check(service, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
      expect(await check(service, renamed.loginName, initial.password)).toEqual({ code: "INVALID" });
    });
  });

  describe("login names belong to one account", () => {
    it("refuses another account presenting a login name its holder still has, and verify keeps resolving to the holder", async () => {
      const { person: holder, initial } = await registered("held");
      const impostor = principal(holder.loginName);
      expect(await service.register(impostor, impostor.userId)).toMatchObject({ code: "LOGIN_NAME_IN_USE" });
      expect(await store.getUser(impostor.userId)).toBeUndefined();
      expect(await check(service, holder.loginName, initial.password)).toMatchObject({ code: "VALID" });
    });

    it("refuses a rename onto a login name another account holds, on create as on registration", async () => {
      const { person: holder } = await registered("taken-name");
      const { person: other, initial } = await registered("renaming");
      const renamed = { ...other, loginName: holder.loginName };
      expect(await service.create(renamed, renamed.userId, { name: "Phone" })).toMatchObject({
        code: "LOGIN_NAME_IN_USE",
      });
      expect(await service.register(renamed, renamed.userId)).toMatchObject({ code: "LOGIN_NAME_IN_USE" });
      expect(await store.getUser(other.userId)).toMatchObject({ loginName: other.loginName });
      expect(await check(service, other.loginName, initial.password)).toMatchObject({ code: "VALID" });
    });

    it("passes a login name on once its holder was renamed", async () => {
      const { person: previous, initial } = await registered("reused");
      await service.register({ ...previous, loginName: uniqueLogin("moved-on") }, previous.userId);
      const next = principal(previous.loginName);
      expect(await service.register(next, next.userId)).toMatchObject({ code: "REGISTERED" });
      expect(await check(service, previous.loginName, initial.password)).toEqual({ code: "INVALID" });
      expect(await check(service, previous.userId, initial.password)).toMatchObject({ code: "VALID" });
    });

    it("lets only an administrator release a login name, which the next account proving it then takes", async () => {
      const { person: previous } = await registered("released");
      const successor = principal(previous.loginName);
      expect(await service.releaseLoginName(previous, previous.loginName)).toMatchObject({ code: "FORBIDDEN" });
      expect(await service.releaseLoginName(admin, previous.loginName.toUpperCase())).toEqual({ code: "RELEASED" });
      expect(await service.releaseLoginName(admin, previous.loginName)).toMatchObject({ code: "LOGIN_NAME_NOT_FOUND" });
      const registration = await service.register(successor, successor.userId);
      if (registration.code !== "REGISTERED") throw new Error(registration.code);
      expect(await check(service, previous.loginName, registration.appPassword!.password)).toMatchObject({
        code: "VALID",
        userId: successor.userId,
      });
      // The former holder cannot take it back now.
      expect(await service.register(previous, previous.userId)).toMatchObject({ code: "LOGIN_NAME_IN_USE" });
    });
  });

  describe("a released login name (the review's sequence)", () => {
    const MEMORY = { entries: 100, lifetimeMs: 15 * 60_000, loginNameLifetimeMs: 5 * 60_000 };

    it("never again verifies its former holder into the name, by object id or by name, from memory or not", async () => {
      const remembering = newService({ repeatLoginMemory: MEMORY });
      const { person: former, initial } = await registered("review", remembering);
      const phone = await created(former, "Phone", remembering);
      // Warm the repeat-login memory: the name and the password are both remembered right for the former holder.
      expect(await check(remembering, former.loginName, phone.password)).toMatchObject({ code: "VALID" });
      expect(await remembering.releaseLoginName(admin, former.loginName)).toEqual({ code: "RELEASED" });
      const successor = principal(former.loginName);
      const registration = await remembering.register(successor, successor.userId);
      if (registration.code !== "REGISTERED") throw new Error(registration.code);

      // Within the memory's lifetime, and after it.
      for (const wait of [0, MEMORY.loginNameLifetimeMs + 1]) {
        clock.now = new Date(clock.now.getTime() + wait);
        expect(await check(remembering, former.loginName, phone.password)).toEqual({ code: "INVALID" });
        expect(await check(remembering, former.userId, phone.password)).toEqual({ code: "INVALID" });
        expect(await check(remembering, former.userId, initial.password)).toEqual({ code: "INVALID" });
        expect(await check(remembering, former.loginName, registration.appPassword!.password)).toMatchObject({
          code: "VALID",
          userId: successor.userId,
          loginName: former.loginName,
        });
      }
      // The former holder cannot take it back, on registration or create.
      expect(await remembering.register(former, former.userId)).toMatchObject({ code: "LOGIN_NAME_IN_USE" });
      expect(await remembering.create(former, former.userId, { name: "Tablet" })).toMatchObject({
        code: "LOGIN_NAME_IN_USE",
      });
      expect(await store.getUser(former.userId)).toMatchObject({
        loginName: "",
        releasedLoginNames: [former.loginName],
      });
      expect(await store.findUserIdByLoginName(former.loginName)).toBe(successor.userId);
      // The former holder still manages their own app passwords, and gets a new name when Entra ID gives one.
      expect(await remembering.list(former, former.userId)).toMatchObject({ code: "LISTED" });
      const renamed = { ...former, loginName: uniqueLogin("review-new") };
      expect(await remembering.register(renamed, renamed.userId)).toMatchObject({ code: "ALREADY_REGISTERED" });
      expect(await check(remembering, renamed.loginName, phone.password)).toMatchObject({
        code: "VALID",
        loginName: renamed.loginName,
      });
    });

    it("names the administrator in the former holder's activity", async () => {
      const { person: former } = await registered("release-audit");
      expect(await service.releaseLoginName(admin, former.loginName)).toEqual({ code: "RELEASED" });
      const activity = await service.listActivity(former, former.userId, 10);
      if (activity.code !== "ACTIVITY") throw new Error(activity.code);
      expect(activity.page.items.find(({ event }) => event === "login-name-released")).toMatchObject({
        event: "login-name-released",
        loginName: former.loginName,
        by: "admin",
        adminLoginName: admin.loginName,
        adminUserId: admin.userId,
      });
    });

    it("lets the former holder claim the name again once an administrator lifts the release, naming them", async () => {
      const { person: former, initial } = await registered("lifted");
      expect(await service.releaseLoginName(admin, former.loginName)).toEqual({ code: "RELEASED" });
      expect(await service.liftLoginNameRelease(former, former.userId, former.loginName)).toMatchObject({
        code: "FORBIDDEN",
      });
      expect(await service.liftLoginNameRelease(admin, former.userId, former.loginName.toUpperCase())).toEqual({
        code: "LIFTED",
      });
      expect(await service.liftLoginNameRelease(admin, former.userId, former.loginName)).toMatchObject({
        code: "LOGIN_NAME_NOT_FOUND",
      });
      // Lifted is not yet held: the account holds the name again once its token proves it.
      expect(await check(service, former.loginName, initial.password)).toEqual({ code: "INVALID" });
      expect(await service.register(former, former.userId)).toMatchObject({ code: "ALREADY_REGISTERED" });
      expect(await store.getUser(former.userId)).toMatchObject({ loginName: former.loginName, releasedLoginNames: [] });
      expect(await check(service, former.loginName, initial.password)).toMatchObject({
        code: "VALID",
        loginName: former.loginName,
      });
      const activity = await service.listActivity(former, former.userId, 10);
      if (activity.code !== "ACTIVITY") throw new Error(activity.code);
      expect(activity.page.items.find(({ event }) => event === "login-name-release-lifted")).toMatchObject({
        event: "login-name-release-lifted",
        loginName: former.loginName,
        by: "admin",
        adminLoginName: admin.loginName,
      });
    });

    it("still keeps a name another account claimed meanwhile from its former holder, release lifted or not", async () => {
      const { person: former } = await registered("lifted-taken");
      expect(await service.releaseLoginName(admin, former.loginName)).toEqual({ code: "RELEASED" });
      const successor = principal(former.loginName);
      expect(await service.register(successor, successor.userId)).toMatchObject({ code: "REGISTERED" });
      expect(await service.liftLoginNameRelease(admin, former.userId, former.loginName)).toEqual({ code: "LIFTED" });
      expect(await service.register(former, former.userId)).toMatchObject({ code: "LOGIN_NAME_IN_USE" });
      expect(await store.findUserIdByLoginName(former.loginName)).toBe(successor.userId);
    });

    it("counts a new claimant's mapping as held before its user record exists", async () => {
      const name = uniqueLogin("in-flight");
      const [first, second] = [principal(name), principal(name)];
      expect(await store.saveLoginName(name, first.userId)).toBe("done");
      expect(await service.register(second, second.userId)).toMatchObject({ code: "LOGIN_NAME_IN_USE" });
      expect(await service.register(first, first.userId)).toMatchObject({ code: "REGISTERED" });
    });

    it("leaves exactly one holder, whose passwords verify and whose record agrees, when both register at once (20 trials)", async () => {
      for (let trial = 0; trial < 20; trial++) {
        const { person: former, initial } = await registered(`race-${trial}`);
        expect(await service.releaseLoginName(admin, former.loginName)).toEqual({ code: "RELEASED" });
        const successor = principal(former.loginName);
        const [again, fresh] = await Promise.all([
          service.register(former, former.userId),
          service.register(successor, successor.userId),
        ]);
        expect(again).toMatchObject({ code: "LOGIN_NAME_IN_USE" });
        expect(fresh).toMatchObject({ code: "REGISTERED" });
        if (fresh.code !== "REGISTERED") continue;
        expect(await store.findUserIdByLoginName(former.loginName)).toBe(successor.userId);
        expect(await store.getUser(successor.userId)).toMatchObject({ loginName: former.loginName });
        expect(await store.getUser(former.userId)).toMatchObject({ loginName: "" });
        expect(await check(service, former.loginName, fresh.appPassword!.password)).toMatchObject({
          code: "VALID",
          userId: successor.userId,
        });
        expect(await check(service, former.loginName, initial.password)).toEqual({ code: "INVALID" });
        expect(await check(service, former.userId, initial.password)).toEqual({ code: "INVALID" });
      }
    });
  });

  describe("hash upgrade", () => {
    it("verifies a hash made with weaker parameters and stores an upgraded one", async () => {
      const weak = newService({ hasher: createArgon2Hasher({ memoryKib: 8192, timeCost: 1, parallelism: 1 }) });
      const strongHasher = createArgon2Hasher({ memoryKib: 16384, timeCost: 2, parallelism: 1 });
      const strong = newService({ hasher: strongHasher });
      const { person, initial } = await registered("upgrade", weak);
      const before = (await storedAppPassword(person.userId, initial.id))!;
      expect(before.hash).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);

      expect(await check(strong, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
      const after = (await storedAppPassword(person.userId, initial.id))!;
      expect(after.hash).toMatch(/^\$argon2id\$v=19\$m=16384,t=2,p=1\$/);
      expect(strongHasher.needsRehash(after.hash)).toBe(false);
      expect(await check(strong, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
      expect(await check(strong, person.loginName, "aaaaaaaaaaaaaaaa")).toEqual({ code: "INVALID" });
    });

    it("upgrades the hash even when lastUsedAt is fresh", async () => {
      const weak = newService({ hasher: createArgon2Hasher({ memoryKib: 8192, timeCost: 1, parallelism: 1 }) });
      const strong = newService({ hasher: createArgon2Hasher({ memoryKib: 8192, timeCost: 2, parallelism: 1 }) });
      const { person, initial } = await registered("upgrade-fresh", weak);
      expect(await check(weak, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
      const used = (await storedAppPassword(person.userId, initial.id))!;
      expect(await check(strong, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
      const after = (await storedAppPassword(person.userId, initial.id))!;
      expect(after.hash).toMatch(/^\$argon2id\$v=19\$m=8192,t=2,p=1\$/);
      expect(after.lastUsedAt).toEqual(used.lastUsedAt);
    });

    it("does not rewrite a hash that is not weaker, nor touch anything on a wrong password", async () => {
      const { person, initial } = await registered("no-upgrade");
      const before = (await storedAppPassword(person.userId, initial.id))!;
      expect(await check(service, person.loginName, "aaaaaaaaaaaaaaaa")).toEqual({ code: "INVALID" });
      expect(await storedAppPassword(person.userId, initial.id)).toEqual(before);
      expect(await check(service, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
      expect((await storedAppPassword(person.userId, initial.id))!.hash).toBe(before.hash);
    });
  });

  describe("lastUsedAt", () => {
    it("is written on the first successful verify and not rewritten within 5 minutes", async () => {
      const { person, initial } = await registered("last-used");
      expect((await storedAppPassword(person.userId, initial.id))!.lastUsedAt).toBeUndefined();

      const firstUse = new Date(clock.now.getTime() + 60_000);
      clock.now = firstUse;
      expect(await check(service, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
      const written = (await storedAppPassword(person.userId, initial.id))!;
      expect(written.lastUsedAt).toEqual(firstUse);

      clock.now = new Date(firstUse.getTime() + LAST_USED_RESOLUTION_MS - 1);
      expect(await check(service, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
      const unchanged = (await storedAppPassword(person.userId, initial.id))!;
      expect(unchanged.lastUsedAt).toEqual(firstUse);
      expect(unchanged.etag).toBe(written.etag);

      clock.now = new Date(firstUse.getTime() + LAST_USED_RESOLUTION_MS);
      expect(await check(service, person.loginName, initial.password)).toMatchObject({ code: "VALID" });
      expect((await storedAppPassword(person.userId, initial.id))!.lastUsedAt).toEqual(clock.now);
    });

    it("shows in the list once written", async () => {
      const { person, initial } = await registered("last-used-list");
      await check(service, person.loginName, initial.password);
      const outcome = await service.list(person, person.userId);
      expect(outcome).toMatchObject({ code: "LISTED", items: [{ id: initial.id, lastUsedAt: clock.now }] });
    });
  });

  describe("forgetQuietThrottles", () => {
    it("forgets the throttling of users and of unknown login names alike once 31 days passed without a write", async () => {
      // A table of its own, since this deletes throttling rows table-wide; storage stamps them with real time.
      const own = azuriteStore(freshTableName());
      const inDays = (days: number) => newService({ store: own, now: () => new Date(Date.now() + days * DAY_MS) });
      const today = inDays(0);
      const { person } = await registered("quiet", today);
      const ghost = uniqueLogin("ghost");
      expect(await check(today, person.loginName, "aaaaaaaaaaaaaaaa")).toEqual({ code: "INVALID" });
      expect(await check(today, ghost, "aaaaaaaaaaaaaaaa")).toEqual({ code: "INVALID" });
      expect((await own.getThrottle(person.userId)).state.unfamiliarFailures).toBe(1);

      expect(await inDays(30).forgetQuietThrottles()).toBe(0);
      expect((await own.getThrottle(person.userId)).state.unfamiliarFailures).toBe(1);
      expect(await inDays(32).forgetQuietThrottles()).toBe(2);
      expect(await own.getThrottle(person.userId)).toEqual({ state: NO_THROTTLE });
      // The user and their app password stay.
      expect((await own.listAppPasswords(person.userId)).length).toBe(1);
    });
  });
});

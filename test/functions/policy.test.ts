import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ROLES } from "../support/constants";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { listOf, registeredUser, type RegisteredUser } from "../support/fixtures";
import { startFunctionHarness, startWithAliceAndAdmin, type FunctionHarness } from "../support/functionHarness";
import { freshTableName } from "../support/testService";

const DAY_MS = 24 * 60 * 60 * 1000;
const SETTINGS = { APP_PASSWORDS_MAX_PER_USER: "7", APP_PASSWORDS_MAX_LIFETIME_DAYS: "90" };
const OFF = { allowed: false, maxPerUser: 7, maxLifetimeDays: 90, deleteUnusedAfterDays: null };

/** A clock the test moves: the policy's refresh and everything else of the services read it. */
const movableClock = () => {
  const clock = { at: Date.now() };
  return { clock, now: () => new Date(clock.at) };
};

const getPolicy = (service: FunctionHarness, token: string) => service.call("GET", "/api/policy", { token });
const putPolicy = (service: FunctionHarness, token: string, body: unknown, ifMatch?: string) =>
  service.call("PUT", "/api/policy", {
    token,
    body,
    ...(ifMatch !== undefined && { headers: { "if-match": ifMatch } }),
  });
const create = (service: FunctionHarness, person: RegisteredUser, body: unknown = { name: "Phone" }) =>
  service.call("POST", "/api/users/me/app-passwords", { token: person.token, body });

describe("policy: GET and PUT /api/policy, GET /api/policy/changes", () => {
  let service: FunctionHarness, alice: RegisteredUser, admin: RegisteredUser;
  const { clock, now } = movableClock();

  beforeAll(async () => {
    ({ service, alice, admin } = await startWithAliceAndAdmin({ env: SETTINGS, now }));
  });
  afterAll(() => service.close());

  describe("happy", () => {
    it("answers the app settings to anyone signed in until an administrator saves a policy, with its ETag", async () => {
      const response = await getPolicy(service, alice.token);
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        allowed: true,
        maxPerUser: 7,
        maxLifetimeDays: 90,
        deleteUnusedAfterDays: null,
        source: "settings",
        refreshSeconds: 30,
      });
      expect(response.headers.get("etag")).toBe(response.json.etag);
      expect(response.json).not.toHaveProperty("savedBy");
    });

    it("saves an administrator's policy, which the rules apply at once on this instance, and records the change", async () => {
      const before = await getPolicy(service, admin.token);
      const saved = await putPolicy(service, admin.token, OFF, before.json.etag as string);
      expect(saved.status, saved.text).toBe(200);
      expect(saved.json).toMatchObject({ ...OFF, source: "saved", savedBy: { loginName: admin.loginName } });
      expect(saved.headers.get("etag")).toBe(saved.json.etag);
      expect(saved.json.etag).not.toBe(before.json.etag);

      expectProblem(await create(service, alice), 403, "APP_PASSWORDS_DISABLED");
      expectProblem(await service.call("GET", "/api/users/me/app-passwords", { token: alice.token }), 403);
      // Administrators still list theirs, and the existing ones keep working.
      expect((await listOf(service, admin.token, alice.userId)).count).toBe(1);
      expect((await service.verify(alice.loginName, alice.initialPassword)).json.valid).toBe(true);

      const seen = await getPolicy(service, alice.token);
      expect(seen.json).toMatchObject({ ...OFF, source: "saved", savedAt: expect.any(String) });
      expect(seen.json).not.toHaveProperty("savedBy");

      const changes = await service.call("GET", "/api/policy/changes", { token: admin.token });
      expect(changes.status).toBe(200);
      expect(changes.json.items).toEqual([
        {
          at: expect.any(String),
          adminLoginName: admin.loginName,
          adminUserId: admin.userId,
          previous: { allowed: true, maxPerUser: 7, maxLifetimeDays: 90, deleteUnusedAfterDays: null },
          next: OFF,
        },
      ]);

      const back = await putPolicy(service, admin.token, { ...OFF, allowed: true }, saved.json.etag as string);
      expect(back.status).toBe(200);
      expect((await create(service, alice)).status).toBe(201);
    });

    it("applies a lower limit, a shorter lifetime and a clean-up period that an administrator saves", async () => {
      const current = await getPolicy(service, admin.token);
      const policy = { allowed: true, maxPerUser: 2, maxLifetimeDays: 10, deleteUnusedAfterDays: 20 };
      expect((await putPolicy(service, admin.token, policy, current.json.etag as string)).status).toBe(200);
      const bob = await registeredUser(service, "bob");
      const made = await create(service, bob);
      expect(made.status).toBe(201);
      expect(Date.parse(made.json.expiresAt as string) - clock.at).toBe(10 * DAY_MS);
      expectProblem(await create(service, bob, { name: "Long", expiresInDays: 11 }), 400, "LIFETIME_TOO_LONG");
      const refused = await create(service, bob, { name: "Third" });
      expectProblem(refused, 409, "APP_PASSWORD_LIMIT_REACHED");
      expect(refused.json.limit).toBe(2);

      // Bob's two are unused, and expire in 10 days: the clean-up deletes them after 20 days unused.
      clock.at += 9 * DAY_MS;
      await service.runTimer("cleanUpAppPasswords");
      expect((await listOf(service, bob.token)).count).toBe(2);
      clock.at += 12 * DAY_MS;
      await service.runTimer("cleanUpAppPasswords");
      expect((await listOf(service, bob.token)).count).toBe(0);
    });

    it("changes and records nothing when what is saved is what is in force", async () => {
      const current = await getPolicy(service, admin.token);
      const before = await service.call("GET", "/api/policy/changes", { token: admin.token });
      const values = {
        allowed: current.json.allowed as boolean,
        maxPerUser: current.json.maxPerUser as number,
        maxLifetimeDays: current.json.maxLifetimeDays as number | null,
        deleteUnusedAfterDays: current.json.deleteUnusedAfterDays as number | null,
      };
      const saved = await putPolicy(service, admin.token, values, current.json.etag as string);
      expect(saved.status).toBe(200);
      expect(saved.json.etag).toBe(current.json.etag);
      const after = await service.call("GET", "/api/policy/changes", { token: admin.token });
      expect(after.json.items).toEqual(before.json.items);
    });

    it("pages the changes newest first", async () => {
      for (const maxPerUser of [11, 12, 13]) {
        clock.at += 1000;
        expect((await putPolicy(service, admin.token, { ...OFF, allowed: true, maxPerUser }, "*")).status).toBe(200);
      }
      const first = await service.call("GET", "/api/policy/changes?limit=2", { token: admin.token });
      const items = first.json.items as { next: { maxPerUser: number } }[];
      expect(items.map((item) => item.next.maxPerUser)).toEqual([13, 12]);
      const next = await service.call(
        "GET",
        `/api/policy/changes?limit=2&continuation=${first.json.continuation as string}`,
        { token: admin.token },
      );
      expect(next.json.items[0].next.maxPerUser).toBe(11);
    });
  });

  describe("errors", () => {
    it("refuses anyone but an administrator with 403, with or without If-Match, changing nothing", async () => {
      const current = await getPolicy(service, alice.token);
      expectProblem(await putPolicy(service, alice.token, OFF, current.json.etag as string), 403, "FORBIDDEN");
      expectProblem(await putPolicy(service, alice.token, OFF), 403, "FORBIDDEN");
      expectProblem(await service.call("GET", "/api/policy/changes", { token: alice.token }), 403, "FORBIDDEN");
      expect((await getPolicy(service, alice.token)).json).toEqual(current.json);
    });

    it("answers 428 IF_MATCH_REQUIRED without If-Match, and 412 POLICY_CHANGED for an ETag not current", async () => {
      expectProblem(await putPolicy(service, admin.token, OFF), 428, "IF_MATCH_REQUIRED");
      expectProblem(await putPolicy(service, admin.token, OFF, '"settings-0000000000000000"'), 412, "POLICY_CHANGED");
      expect((await getPolicy(service, admin.token)).json.allowed).toBe(true);
    });

    it("answers 400 naming the field for values out of range, missing or unknown", async () => {
      const valid = { ...OFF, allowed: true };
      for (const [field, body] of [
        ["maxPerUser", { ...valid, maxPerUser: 0 }],
        ["maxPerUser", { ...valid, maxPerUser: 100 }],
        ["maxPerUser", { ...valid, maxPerUser: 1.5 }],
        ["maxLifetimeDays", { ...valid, maxLifetimeDays: 366 }],
        ["deleteUnusedAfterDays", { ...valid, deleteUnusedAfterDays: 3651 }],
        ["deleteUnusedAfterDays", { allowed: true, maxPerUser: 3, maxLifetimeDays: null }],
        ["allowed", { ...valid, allowed: "no" }],
      ] as const) {
        expectInvalid(await putPolicy(service, admin.token, body, "*"), field);
      }
      expectProblem(await putPolicy(service, admin.token, { ...valid, extra: 1 }, "*"), 400, "INVALID_REQUEST");
      expectProblem(await service.call("GET", "/api/policy/changes?continuation=bm9wZQ", { token: admin.token }), 400);
    });
  });
});

describe("policy across instances and administrators", () => {
  let a: FunctionHarness, b: FunctionHarness, alice: RegisteredUser, admin: RegisteredUser, other: RegisteredUser;
  /** Alice as instance b knows her: each harness trusts only its own development issuer. */
  let aliceOnB: RegisteredUser;
  const clockA = movableClock();
  const clockB = movableClock();

  beforeAll(async () => {
    // Two instances of the service over one table, each with its own copy of the policy and its own clock.
    const env = { APP_PASSWORDS_TABLE_NAME: freshTableName(), APP_PASSWORDS_POLICY_REFRESH_SECONDS: "30" };
    a = await startFunctionHarness({ env, now: clockA.now });
    b = await startFunctionHarness({ env, now: clockB.now });
    alice = await registeredUser(a, "alice");
    admin = await registeredUser(a, "admin", ADMIN_ROLES);
    other = await registeredUser(b, "other-admin", ADMIN_ROLES);
    aliceOnB = { ...alice, token: await b.token({ upn: alice.loginName, oid: alice.userId }) };
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it("every instance applies a change within the refresh interval, and GET /api/policy shows it at once", async () => {
    // Instance b reads the policy (the settings') for this create, and keeps its copy for 30 s.
    expect((await create(b, aliceOnB)).status).toBe(201);
    const current = await getPolicy(a, admin.token);
    expect((await putPolicy(a, admin.token, OFF, current.json.etag as string)).status).toBe(200);
    expectProblem(await create(a, alice), 403, "APP_PASSWORDS_DISABLED");
    expect((await getPolicy(b, aliceOnB.token)).json.allowed).toBe(false);

    // b's copy is the one it just read for GET: put the settings back through a and let b's copy age.
    const off = await getPolicy(a, admin.token);
    const on = await putPolicy(a, admin.token, { ...OFF, allowed: true }, off.json.etag as string);
    expect(on.status).toBe(200);
    expectProblem(await create(b, aliceOnB), 403, "APP_PASSWORDS_DISABLED");
    clockB.clock.at += 29_999;
    expectProblem(await create(b, aliceOnB), 403, "APP_PASSWORDS_DISABLED");
    clockB.clock.at += 1;
    expect((await create(b, aliceOnB)).status).toBe(201);
  });

  it("lets exactly one of two administrators who read the same ETag save, and refuses the other 412", async () => {
    for (let round = 0; round < 3; round++) {
      const read = await getPolicy(a, admin.token);
      const etag = read.json.etag as string;
      const answers = await Promise.all([
        putPolicy(a, admin.token, { ...OFF, maxPerUser: 20 + round }, etag),
        putPolicy(b, other.token, { ...OFF, maxPerUser: 30 + round }, etag),
      ]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412]);
      const loser = answers.find((answer) => answer.status === 412);
      if (loser) expectProblem(loser, 412, "POLICY_CHANGED");
      const winner = answers.find((answer) => answer.status === 200);
      expect((await getPolicy(b, aliceOnB.token)).json.maxPerUser).toBe(winner?.json.maxPerUser);
    }
    const changes = await a.call("GET", "/api/policy/changes?limit=100", { token: admin.token });
    // Two changes of the first test, then one per round.
    expect(changes.json.items).toHaveLength(5);
  });

  it("lets one of two administrators save the first policy over the settings' ETag", async () => {
    const env = { APP_PASSWORDS_TABLE_NAME: freshTableName() };
    const first = await startFunctionHarness({ env });
    const second = await startFunctionHarness({ env });
    const one = await registeredUser(first, "admin-one", ADMIN_ROLES);
    const two = await registeredUser(second, "admin-two", ADMIN_ROLES);
    const etag = (await getPolicy(first, one.token)).json.etag as string;
    const answers = await Promise.all([
      putPolicy(first, one.token, { ...OFF, maxPerUser: 3 }, etag),
      putPolicy(second, two.token, { ...OFF, maxPerUser: 4 }, etag),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412]);
    const changes = await first.call("GET", "/api/policy/changes", { token: one.token });
    expect(changes.json.items).toHaveLength(1);
  });
});

import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../shared/adapters/httpInput";
import { ADMIN_ROLES, INVALID_USER_PARAMS } from "../support/constants";
import { expectInvalid, expectProblem, fieldsOf } from "../support/expectProblem";
import { listOf, newUser, refusedLeavingUnchanged, registeredUser, type TestUser } from "../support/fixtures";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";
import type { CallResult } from "../support/serviceClient";

describe("createAppPassword: POST /api/users/{user}/app-passwords", () => {
  let service: FunctionHarness;
  let alice: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    service = await startFunctionHarness();
    alice = await registeredUser(service, "alice");
    admin = await registeredUser(service, "admin", ADMIN_ROLES);
  });
  afterAll(() => service.close());

  const create = (body: unknown, options: { token?: string; user?: string } = {}) =>
    service.call("POST", `/api/users/${options.user ?? "me"}/app-passwords`, {
      token: options.token ?? alice.token,
      body,
    });

  /** Sends a request that must be refused, and checks that alice's app passwords did not change. */
  const refused = (send: () => Promise<CallResult>) => refusedLeavingUnchanged(service, alice, send);

  describe("happy", () => {
    it("returns 201 with the id, name, password and creation time, and a Location", async () => {
      const response = await create({ name: "Alice's iPhone" });
      expect(response.status).toBe(201);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(response.json).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}$/),
        name: "Alice's iPhone",
        password: expect.stringMatching(/^[a-z]{16}$/),
        createdAt: expect.any(String),
      });
      expect(Number.isNaN(Date.parse(response.json.createdAt as string))).toBe(false);
      expect(response.headers.get("location")).toBe(`/api/users/me/app-passwords/${response.json.id}`);
    });

    it("returns a password that verifies at once", async () => {
      const response = await create({ name: "Laptop" });
      const verified = await service.verify(alice.loginName, response.json.password as string);
      expect(verified.json).toEqual({
        valid: true,
        userId: alice.userId,
        loginName: alice.loginName,
        appPasswordId: response.json.id,
      });
    });

    it("lists the new app password, without its password", async () => {
      const response = await create({ name: "Tablet" });
      const list = await listOf(service, alice.token);
      expect(list.items).toContainEqual({ id: response.json.id, name: "Tablet", createdAt: response.json.createdAt });
    });

    it("returns a different password every time", async () => {
      const [first, second] = await Promise.all([create({ name: "Twin 1" }), create({ name: "Twin 2" })]);
      expect(first.json.password).not.toBe(second.json.password);
      expect(first.json.id).not.toBe(second.json.id);
    });

    it("trims the name", async () => {
      const response = await create({ name: "  Car  \t" });
      expect(response.status).toBe(201);
      expect(response.json.name).toBe("Car");
    });

    it("accepts a name of exactly 128 characters after trimming", async () => {
      const name = "n".repeat(128);
      const response = await create({ name: `   ${name}   ` });
      expect(response.status).toBe(201);
      expect(response.json.name).toBe(name);
    });

    it("accepts names in any script, with emoji and punctuation", async () => {
      for (const name of ["Téléphone de Zoë", "手机", "📱 work phone", "O'Neil's \"Mac\" (2024) <old>"]) {
        const response = await create({ name });
        expect(response.status).toBe(201);
        expect(response.json.name).toBe(name);
      }
    });

    it("accepts the caller's own object id in place of me, in any case", async () => {
      for (const user of [alice.userId, alice.userId.toUpperCase()]) {
        const response = await create({ name: "By id" }, { user });
        expect(response.status).toBe(201);
        expect(response.headers.get("location")).toBe(`/api/users/${alice.userId}/app-passwords/${response.json.id}`);
      }
    });
  });

  describe("errors", () => {
    it.each([
      ["is not JSON", "{name:"],
      ["is cut short", '{"name": "Phone"'],
      ["is empty", ""],
      ["is a form", "name=Phone"],
    ])("returns 400 MALFORMED_JSON when the body %s", async (_, rawBody) => {
      const response = await refused(() =>
        service.call("POST", "/api/users/me/app-passwords", {
          token: alice.token,
          rawBody,
          headers: { "content-type": "application/json" },
        }),
      );
      expectProblem(response, 400, "MALFORMED_JSON");
    });

    it.each([
      ["a number", { name: 5 }],
      ["null", { name: null }],
      ["missing", {}],
      ["an array", { name: ["Phone"] }],
      ["an object", { name: { first: "Phone" } }],
      ["a boolean", { name: true }],
    ])("returns 400 INVALID_REQUEST naming name when the name is %s", async (_, body) => {
      expectInvalid(await refused(() => create(body)), "name");
    });

    it.each([
      ["an array", []],
      ["a string", "Phone"],
      ["null", null],
      ["a number", 42],
    ])("returns 400 INVALID_REQUEST when the body is %s, not an object", async (_, body) => {
      const response = await refused(() => create(body));
      expectProblem(response, 400, "INVALID_REQUEST");
      expect(fieldsOf(response).length).toBeGreaterThan(0);
    });

    it.each([
      ["empty", ""],
      ["only spaces", "    "],
      ["only tabs and newlines", "\t\n\r "],
      ["129 characters", "n".repeat(129)],
      ["129 characters between spaces", `  ${"n".repeat(129)}  `],
      ["a NUL", "Pho\u0000ne"],
      ["a newline inside", "Pho\nne"],
      ["a carriage return inside", "Pho\rne"],
      ["an escape sequence", "Pho\u001b[31mne"],
      ["DEL", "Pho\u007fne"],
      ["a C1 control", "Pho\u0085ne"],
      ["a right-to-left override", "Phone\u202egnp.exe"],
      ["a left-to-right embedding", "Pho\u202ane"],
      ["a right-to-left isolate", "Pho\u2067ne"],
      ["a right-to-left mark", "Pho\u200fne"],
      ["an Arabic letter mark (a bidi control like the marks above)", "Pho\u061cne"],
      ["a lone high surrogate", "Pho\ud800ne"],
      ["a lone low surrogate", "Phone\udc00"],
    ])("returns 400 INVALID_REQUEST naming name when the name is %s", async (_, name) => {
      expectInvalid(await refused(() => create({ name })), "name");
    });

    it.each([
      ["an unknown field", { name: "Phone", colour: "blue" }],
      ["a chosen password", { name: "Phone", password: "abcdefghijklmnop" }],
      ["an id", { name: "Phone", id: "0badc0de" }],
      ["a __proto__ member", JSON.parse('{"name":"Phone","__proto__":{"isAdmin":true}}') as unknown],
    ])("returns 400 INVALID_REQUEST naming the member when the body has %s", async (_, body) => {
      const response = await refused(() => create(body));
      expectProblem(response, 400, "INVALID_REQUEST");
      const extra = Object.keys(body as object).find((key) => key !== "name")!;
      expect(JSON.stringify(response.json.errors)).toContain(extra);
    });

    it.each(INVALID_USER_PARAMS)("returns 400 INVALID_REQUEST naming user when {user} is %s", async (_, user) => {
      expectInvalid(await refused(() => create({ name: "Phone" }, { user })), "user");
    });

    it("returns 413 PAYLOAD_TOO_LARGE for a body over 16 KiB", async () => {
      const response = await refused(() => create({ name: "n".repeat(MAX_BODY_BYTES + 1024) }));
      expectProblem(response, 413, "PAYLOAD_TOO_LARGE");
    });

    it("reads a body of exactly 16 KiB (and refuses its name for length, not its size)", async () => {
      const rawBody = JSON.stringify({ name: "n".repeat(MAX_BODY_BYTES - 11) });
      expect(Buffer.byteLength(rawBody)).toBe(MAX_BODY_BYTES);
      const response = await refused(() =>
        service.call("POST", "/api/users/me/app-passwords", { token: alice.token, rawBody }),
      );
      expectInvalid(response, "name");
    });

    it("returns 409 REGISTRATION_REQUIRED for a person who has not registered", async () => {
      const stranger = await newUser(service, "stranger");
      const response = await create({ name: "Phone" }, { token: stranger.token });
      expectProblem(response, 409, "REGISTRATION_REQUIRED");
      expect(await listOf(service, stranger.token)).toMatchObject({ items: [], count: 0 });
      expect(response.json.detail).toMatch(/registration/);
    });
  });

  describe("security", () => {
    it("returns 401, not 400, when a request without a token is also malformed", async () => {
      const response = await refused(() =>
        service.call("POST", "/api/users/alice/app-passwords", { rawBody: "{oops" }),
      );
      expectProblem(response, 401, "UNAUTHENTICATED");
    });

    it("answers Cache-Control: no-store on the response that carries the password", async () => {
      const response = await create({ name: "Watch" });
      expect(response.status).toBe(201);
      expect(response.headers.get("cache-control")).toBe("no-store");
    });

    it("answers X-Content-Type-Options: nosniff on every response", async () => {
      const responses = [
        await create({ name: "Sniff" }),
        await create({ name: "" }),
        await create({ name: "x" }, { user: "ME" }),
        await create({ name: "x" }, { token: "garbage" }),
        await create({ name: "x" }, { token: admin.token, user: alice.userId }),
        await create({ name: "n".repeat(MAX_BODY_BYTES + 1024) }),
      ];
      expect(responses.map((response) => response.status)).toEqual([201, 400, 400, 401, 403, 413]);
      for (const response of responses) expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    });

    it("never shows the password again after the response that created it", async () => {
      const response = await create({ name: "Once" });
      const password = response.json.password as string;
      const list = await service.call("GET", "/api/users/me/app-passwords", { token: alice.token });
      const again = await service.call("POST", "/api/users/me/registration", { token: alice.token });
      for (const later of [list, again]) {
        expect(later.text).not.toContain(password);
        expect(later.text).not.toContain("argon2");
      }
    });
  });

  /**
   * `allowedIps` is read by the same address module as throttling: an IPv4-mapped range is the IPv4 range it
   * means, a range that would hold every IPv4 client as IPv6 is refused, and what is stored and shown is the
   * canonical form. The review's case: `::ffff:203.0.113.7/24` was stored as an IPv6 /24, which holds all of
   * `::ffff:0:0/96`, and admitted `198.51.100.9`.
   */
  describe("allowedIps, as the one address module reads them", () => {
    let ipUser: TestUser;
    beforeAll(async () => {
      ipUser = await registeredUser(service, "allowed-ips");
    });

    const create = (allowedIps: string[]) =>
      service.call("POST", "/api/users/me/app-passwords", { token: ipUser.token, body: { name: "Mail", allowedIps } });
    const verify = (password: string, clientIp: string) => service.verify(ipUser.loginName, password, { clientIp });
    const messages = (response: Awaited<ReturnType<typeof create>>) =>
      ((response.json.errors ?? []) as { field: string; message: string }[]).map((error) => error.message).join(" | ");

    it("refuses ::ffff:203.0.113.7/24 with a field error that says why, storing nothing", async () => {
      const before = (await listOf(service, ipUser.token)).items.length;
      const response = await create(["::ffff:203.0.113.7/24"]);
      expectInvalid(response, "allowedIps.0");
      expect(messages(response)).toMatch(/IPv4-mapped.*at least 96/);
      expect((await listOf(service, ipUser.token)).items).toHaveLength(before);
    });

    it("admits no 198.51.100.9 by an app password stored with ::ffff:203.0.113.7/24 before ranges were checked", async () => {
      const created = await create(["203.0.113.0/24"]);
      const password = created.json.password as string;
      expect((await verify(password, "198.51.100.9")).json).toEqual({ valid: false });
      // The row as today's main stored that request: the range as typed, lowercased.
      const { connectionString, tableName } = service.config.table as { connectionString: string; tableName: string };
      const table = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
      await table.updateEntity(
        { partitionKey: ipUser.userId, rowKey: `ap_${created.json.id as string}`, AllowedIps: "::ffff:203.0.113.7/24" },
        "Merge",
      );
      for (const clientIp of ["198.51.100.9", "::ffff:198.51.100.9", "203.0.113.7"]) {
        expect((await verify(password, clientIp)).json).toEqual({ valid: false });
      }
    });

    it("stores ::ffff:203.0.113.7/120 as 203.0.113.0/24: 203.0.113.9 in any spelling is admitted, 198.51.100.9 is not", async () => {
      const created = await create(["::ffff:203.0.113.7/120"]);
      expect(created.status).toBe(201);
      expect(created.json.allowedIps).toEqual(["203.0.113.0/24"]);
      const password = created.json.password as string;
      expect((await verify(password, "198.51.100.9")).json).toEqual({ valid: false });
      expect((await verify(password, "::ffff:198.51.100.9")).json).toEqual({ valid: false });
      expect((await verify(password, "203.0.113.9")).json.valid).toBe(true);
      expect((await verify(password, "::ffff:203.0.113.9")).json.valid).toBe(true);
      expect((await verify(password, "2001:db8::9")).json).toEqual({ valid: false });
    });

    it("stores and shows the canonical form with host bits masked, in the answer, the item and the list", async () => {
      const created = await create(["10.0.0.5/24", "2001:DB8:0:0::5/64", "198.51.100.7", "::1"]);
      expect(created.status).toBe(201);
      const canonical = ["10.0.0.0/24", "2001:db8::/64", "198.51.100.7/32", "::1/128"];
      expect(created.json.allowedIps).toEqual(canonical);
      const item = await service.call("GET", `/api/users/me/app-passwords/${created.json.id as string}`, {
        token: ipUser.token,
      });
      expect(item.json.allowedIps).toEqual(canonical);
      const listed = (await listOf(service, ipUser.token)).items.find((entry) => entry.id === created.json.id);
      expect(listed).toMatchObject({ allowedIps: canonical });
      expect((await verify(created.json.password as string, "10.0.0.200")).json.valid).toBe(true);
    });

    it.each([
      [["::/0"], /must not contain ::ffff:0:0\/96/],
      [["::/64"], /must not contain ::ffff:0:0\/96/],
      [["::/96"], /IPv4-compatible/],
      [["fe80::1%eth0"], /zone id/],
      [["203.0.113.0/24", "::ffff:10.0.0.0/8"], /IPv4-mapped.*at least 96/],
    ])("refuses %j with a field error that says why", async (allowedIps, reason) => {
      const response = await create(allowedIps);
      expectInvalid(response, `allowedIps.${allowedIps.length - 1}`);
      expect(messages(response)).toMatch(reason);
    });
  });
});

const DAY_MS = 24 * 60 * 60 * 1000;

// A second configuration beside the first, in the same file: each harness serves the functions with its own services.
describe("createAppPassword under APP_PASSWORDS_MAX_LIFETIME_DAYS", () => {
  let capped: FunctionHarness;
  let uncapped: FunctionHarness;

  beforeAll(async () => {
    uncapped = await startFunctionHarness();
    capped = await startFunctionHarness({ env: { APP_PASSWORDS_MAX_LIFETIME_DAYS: "30" } });
  });
  afterAll(async () => {
    await capped.close();
    await uncapped.close();
  });

  const create = (body: unknown, token: string) => capped.call("POST", "/api/users/me/app-passwords", { token, body });

  it("gives the tenant's longest lifetime when none is asked for", async () => {
    const bob = await registeredUser(capped, "bob");
    const response = await create({ name: "Default" }, bob.token);
    const lifetime = Date.parse(response.json.expiresAt as string) - Date.parse(response.json.createdAt as string);
    expect(lifetime).toBe(30 * DAY_MS);
  });

  it("returns 400 LIFETIME_TOO_LONG naming expiresInDays beyond the tenant's longest lifetime", async () => {
    const bob = await registeredUser(capped, "bob");
    const response = await create({ name: "Long", expiresInDays: 31 }, bob.token);
    expectProblem(response, 400, "LIFETIME_TOO_LONG");
    expect(fieldsOf(response)).toEqual(["expiresInDays"]);
    expect(response.json.maxDays).toBe(30);
  });

  it("caps only the harness so configured: one started before it in the same process gives no expiry", async () => {
    const dave = await registeredUser(uncapped, "dave");
    const response = await uncapped.call("POST", "/api/users/me/app-passwords", {
      token: dave.token,
      body: { name: "Forever" },
    });
    expect(response.status).toBe(201);
    expect(response.json.expiresAt).toBeUndefined();
  });

  it("gives the first app password at registration the same lifetime", async () => {
    const carol = await registeredUser(capped, "carol");
    const [item] = (await capped.call("GET", "/api/users/me/app-passwords", { token: carol.token })).json.items;
    expect(Date.parse(item.expiresAt as string) - Date.parse(item.createdAt as string)).toBe(30 * DAY_MS);
  });
});

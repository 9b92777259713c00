import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_ROLES,
  INVALID_USER_PARAMS,
  expectInvalid,
  expectProblem,
  listOf,
  newUser,
  registeredUser,
  untrustedTokens,
  type TestUser,
} from "../support/fixtures";
import { rawRequest } from "../support/rawRequest";
import { startTestService, type CallResult, type TestService } from "../support/testService";

describe("registration: POST /api/users/{user}/registration", () => {
  let service: TestService;
  let admin: TestUser;

  beforeAll(async () => {
    service = await startTestService();
    admin = await registeredUser(service, "admin", ADMIN_ROLES);
  });
  afterAll(() => service.close());

  const register = (token: string | undefined, options: { user?: string; body?: unknown; rawBody?: string } = {}) =>
    service.call("POST", `/api/users/${options.user ?? "me"}/registration`, {
      ...(token !== undefined && { token }),
      ...(options.body !== undefined && { body: options.body }),
      ...(options.rawBody !== undefined && { rawBody: options.rawBody }),
    });

  /** Sends a registration that must be refused, and checks that the person is still not registered. */
  async function refused(person: TestUser, send: () => Promise<CallResult>): Promise<CallResult> {
    const response = await send();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await listOf(service, person.token)).toMatchObject({ items: [], count: 0 });
    const create = await service.call("POST", "/api/users/me/app-passwords", {
      token: person.token,
      body: { name: "Probe" },
    });
    expectProblem(create, 409, "REGISTRATION_REQUIRED");
    return response;
  }

  describe("happy", () => {
    it("returns 201 with the first app password the first time", async () => {
      const person = await newUser(service, "first");
      const response = await register(person.token);
      expect(response.status).toBe(201);
      expect(response.json).toEqual({
        userId: person.userId,
        registeredAt: expect.any(String),
        appPassword: {
          id: expect.stringMatching(/^[0-9a-f]{8}$/),
          name: "Initial app password",
          password: expect.stringMatching(/^[a-z]{16}$/),
          createdAt: expect.any(String),
        },
      });
      const verified = await service.verify(person.loginName, response.json.appPassword.password as string);
      expect(verified.json).toEqual({
        valid: true,
        userId: person.userId,
        loginName: person.loginName,
        appPasswordId: response.json.appPassword.id,
      });
    });

    it("returns 200 without an app password the next times", async () => {
      const person = await newUser(service, "again");
      const first = await register(person.token);
      const second = await register(person.token);
      const third = await register(person.token, { body: { name: "Another" } });
      for (const later of [second, third]) {
        expect(later.status).toBe(200);
        expect(later.json).toEqual({ userId: person.userId, registeredAt: first.json.registeredAt });
        expect(later.text).not.toContain(first.json.appPassword.password as string);
      }
      expect((await listOf(service, person.token)).count).toBe(1);
    });

    it("names the first app password as asked", async () => {
      const person = await newUser(service, "named");
      const response = await register(person.token, { body: { name: "  Alice's iPhone " } });
      expect(response.status).toBe(201);
      expect(response.json.appPassword.name).toBe("Alice's iPhone");
    });

    it.each([
      ["no body", undefined],
      ["a blank body", "  \n"],
      ["an empty object", "{}"],
    ])("accepts %s", async (_, rawBody) => {
      const person = await newUser(service, "bodyless");
      const response = await register(person.token, rawBody === undefined ? {} : { rawBody });
      expect(response.status).toBe(201);
    });

    it("gives one app password, no more, to concurrent first registrations", async () => {
      const person = await newUser(service, "racer");
      const responses = await Promise.all(Array.from({ length: 5 }, () => register(person.token)));
      expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 201]);
      expect((await listOf(service, person.token)).count).toBe(1);
    });

    it("accepts the caller's own object id in place of me", async () => {
      const person = await newUser(service, "by-id");
      expect((await register(person.token, { user: person.userId.toUpperCase() })).status).toBe(201);
    });
  });

  describe("errors", () => {
    let person: TestUser;

    beforeAll(async () => {
      person = await newUser(service, "refused");
    });

    it.each([
      ["is not JSON", "{name:"],
      ["is cut short", '{"name": "Phone"'],
      ["is a form", "name=Phone"],
    ])("returns 400 MALFORMED_JSON when the body %s", async (_, rawBody) => {
      expectProblem(await refused(person, () => register(person.token, { rawBody })), 400, "MALFORMED_JSON");
    });

    it.each([
      ["a number", { name: 5 }],
      ["null", { name: null }],
      ["an array", { name: ["Phone"] }],
      ["empty", { name: "" }],
      ["only spaces", { name: "   " }],
      ["129 characters", { name: "n".repeat(129) }],
      ["a NUL", { name: "Pho\u0000ne" }],
      ["a newline inside", { name: "Pho\nne" }],
      ["DEL", { name: "Pho\u007fne" }],
      ["a right-to-left override", { name: "Phone\u202egnp.exe" }],
      ["a lone surrogate", { name: "Pho\ud800ne" }],
    ])("returns 400 INVALID_REQUEST naming name when the name is %s", async (_, body) => {
      expectInvalid(await refused(person, () => register(person.token, { body })), "name");
    });

    it.each([
      ["an unknown field", { name: "Phone", colour: "blue" }],
      ["a chosen password", { password: "abcdefghijklmnop" }],
      ["a registration date", { registeredAt: "2020-01-01T00:00:00Z" }],
    ])("returns 400 INVALID_REQUEST naming the member when the body has %s", async (_, body) => {
      const response = await refused(person, () => register(person.token, { body }));
      expectProblem(response, 400, "INVALID_REQUEST");
      const extra = Object.keys(body).find((key) => key !== "name")!;
      expect(JSON.stringify(response.json.errors)).toContain(extra);
    });

    it.each([
      ["an array", []],
      ["null", null],
      ["a string", "Phone"],
    ])("returns 400 INVALID_REQUEST when the body is %s, not an object", async (_, body) => {
      expectProblem(await refused(person, () => register(person.token, { body })), 400, "INVALID_REQUEST");
    });

    it.each(INVALID_USER_PARAMS)("returns 400 INVALID_REQUEST naming user when {user} is %s", async (_, user) => {
      expectInvalid(await refused(person, () => register(person.token, { user })), "user");
    });

    it("resolves a .. user segment before routing, so it reaches no function", async () => {
      const response = await refused(person, () =>
        rawRequest(service, "POST", "/api/users/../registration", { token: person.token }),
      );
      expectProblem(response, 404, "NOT_FOUND");
    });

    it("returns 413 PAYLOAD_TOO_LARGE for a body over 16 KiB", async () => {
      const response = await refused(person, () => register(person.token, { body: { name: "n".repeat(17 * 1024) } }));
      expectProblem(response, 413, "PAYLOAD_TOO_LARGE");
    });

    it.each([
      ["GET", "/api/users/me/registration"],
      ["DELETE", "/api/users/me/registration"],
      ["PUT", "/api/users/me/registration"],
    ])("returns 405 METHOD_NOT_ALLOWED problem for %s", async (method, route) => {
      const response = await refused(person, () => service.call(method, route, { token: person.token }));
      expectProblem(response, 405, "METHOD_NOT_ALLOWED");
    });

    it.each([
      ["a misspelt path", "/api/users/me/registrations"],
      ["a missing user", "/api/users/registration"],
    ])("returns 404 NOT_FOUND problem for %s", async (_, route) => {
      const response = await refused(person, () => service.call("POST", route, { token: person.token }));
      expectProblem(response, 404, "NOT_FOUND");
    });
  });

  describe("security", () => {
    it("returns 401 with WWW-Authenticate when there is no token", async () => {
      const response = await register(undefined);
      expectProblem(response, 401, "UNAUTHENTICATED");
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    });

    it("returns 401 for every token it does not trust, registering nobody", async () => {
      const person = await newUser(service, "impersonated");
      for (const [label, token] of await untrustedTokens(service, person.loginName)) {
        const response = await refused(person, () => register(token));
        expect({ label, status: response.status }).toEqual({ label, status: 401 });
        expectProblem(response, 401, "UNAUTHENTICATED");
        expect(response.text).not.toMatch(/"password"/);
      }
    });

    it("returns 403 FORBIDDEN when a non-admin registers another user", async () => {
      const [mallory, victim] = [await newUser(service, "mallory"), await newUser(service, "victim")];
      const response = await refused(victim, () => register(mallory.token, { user: victim.userId }));
      expectProblem(response, 403, "FORBIDDEN");
      expect(response.text).not.toMatch(/"password"/);
    });

    it("returns 403 SELF_SERVICE_ONLY when an admin registers another user, so no admin sees their password", async () => {
      const victim = await newUser(service, "managed");
      const response = await refused(victim, () => register(admin.token, { user: victim.userId }));
      expectProblem(response, 403, "SELF_SERVICE_ONLY");
      expect(response.text).not.toMatch(/"password"/);
    });

    it("answers Cache-Control: no-store on the response that carries the password", async () => {
      const person = await newUser(service, "cache");
      const response = await register(person.token);
      expect(response.status).toBe(201);
      expect(response.headers.get("cache-control")).toBe("no-store");
    });

    it("answers X-Content-Type-Options: nosniff on every response", async () => {
      const person = await newUser(service, "sniff");
      const responses = [
        await register(person.token),
        await register(person.token),
        await register(person.token, { rawBody: "{" }),
        await register(undefined),
        await register(admin.token, { user: person.userId }),
        await service.call("GET", "/api/users/me/registration", { token: person.token }),
      ];
      expect(responses.map((response) => response.status)).toEqual([201, 200, 400, 401, 403, 405]);
      for (const response of responses) expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    });
  });
});

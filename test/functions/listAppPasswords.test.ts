import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_ROLES,
  INVALID_USER_PARAMS,
  expectInvalid,
  expectProblem,
  newUser,
  registeredUser,
  untrustedTokens,
} from "../support/fixtures";
import { rawRequest } from "../support/rawRequest";
import { startTestService, type TestService } from "../support/testService";

describe("listAppPasswords: GET /api/users/{user}/app-passwords", () => {
  let service: TestService;
  let alice: Awaited<ReturnType<typeof registeredUser>>;
  let admin: Awaited<ReturnType<typeof registeredUser>>;
  const passwords: string[] = [];

  beforeAll(async () => {
    service = await startTestService();
    alice = await registeredUser(service, "alice");
    admin = await registeredUser(service, "admin", ADMIN_ROLES);
    passwords.push(alice.initialPassword);
    for (const name of ["Laptop", "Phone"]) {
      const created = await service.call("POST", "/api/users/me/app-passwords", { token: alice.token, body: { name } });
      expect(created.status).toBe(201);
      passwords.push(created.json.password as string);
    }
  });
  afterAll(() => service.close());

  const list = (options: { token?: string; user?: string } = {}) =>
    service.call("GET", `/api/users/${options.user ?? "me"}/app-passwords`, {
      ...(options.token !== undefined && { token: options.token }),
    });

  describe("happy", () => {
    it("returns 200 with the items oldest first, their count and the limit", async () => {
      const response = await list({ token: alice.token });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(response.json).toMatchObject({ count: 3, limit: 40 });
      expect((response.json.items as { name: string }[]).map((item) => item.name)).toEqual([
        "Initial app password",
        "Laptop",
        "Phone",
      ]);
      for (const item of response.json.items as Record<string, unknown>[]) {
        expect(item).toEqual({
          id: expect.stringMatching(/^[0-9a-f]{8}$/),
          name: expect.any(String),
          createdAt: expect.any(String),
        });
      }
    });

    it("shows when, from where and by which protocol an app password was last used", async () => {
      const login = { clientIp: "2001:db8::25", protocol: "submission" };
      expect((await service.verify(alice.loginName, alice.initialPassword, login)).json.valid).toBe(true);
      const response = await list({ token: alice.token });
      const initial = (
        response.json.items as { id: string; lastUsedAt?: string; lastUsedIp?: string; lastUsedProtocol?: string }[]
      ).find((item) => item.id === alice.initialId);
      expect(initial?.lastUsedAt).toEqual(expect.any(String));
      expect(Number.isNaN(Date.parse(initial!.lastUsedAt!))).toBe(false);
      expect(initial).toMatchObject({ lastUsedIp: "2001:db8::25", lastUsedProtocol: "smtp" });
    });

    it("accepts the caller's own object id in place of me", async () => {
      const byId = await list({ token: alice.token, user: alice.userId.toUpperCase() });
      const byMe = await list({ token: alice.token });
      expect(byId.status).toBe(200);
      expect(byId.json).toEqual(byMe.json);
    });

    it("returns an empty list for a person with no app passwords", async () => {
      const stranger = await newUser(service, "stranger");
      const response = await list({ token: stranger.token });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ items: [], count: 0, limit: 40 });
    });

    it("lets an admin list another user's app passwords", async () => {
      const response = await list({ token: admin.token, user: alice.userId });
      expect(response.status).toBe(200);
      expect(response.json.count).toBe(3);
    });
  });

  describe("errors", () => {
    it.each(INVALID_USER_PARAMS)("returns 400 INVALID_REQUEST naming user when {user} is %s", async (_, user) => {
      expectInvalid(await list({ token: alice.token, user }), "user");
    });

    it("resolves a .. user segment before routing, so it reaches no function", async () => {
      expectProblem(
        await rawRequest(service, "GET", "/api/users/../app-passwords", { token: alice.token }),
        404,
        "NOT_FOUND",
      );
    });

    it.each([
      ["a misspelt path", "/api/users/me/app-password"],
      ["a path outside /api", "/users/me/app-passwords"],
      ["an unknown function", "/api/app-passwords"],
    ])("returns 404 NOT_FOUND problem for %s", async (_, route) => {
      expectProblem(await service.call("GET", route, { token: alice.token }), 404, "NOT_FOUND");
    });

    it.each([
      ["PUT", "/api/users/me/app-passwords"],
      ["PATCH", "/api/users/me/app-passwords"],
      ["GET", "/api/users/me/app-passwords/0badc0de"],
    ])("returns 405 METHOD_NOT_ALLOWED problem for %s %s", async (method, route) => {
      expectProblem(await service.call(method, route, { token: alice.token }), 405, "METHOD_NOT_ALLOWED");
    });
  });

  describe("security", () => {
    it("returns 401 with WWW-Authenticate when there is no token", async () => {
      const response = await list();
      expectProblem(response, 401, "UNAUTHENTICATED");
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    });

    it("returns 401 for every token it does not trust", async () => {
      for (const [label, token] of await untrustedTokens(service, alice.loginName)) {
        const response = await list({ token });
        expect({ label, status: response.status }).toEqual({ label, status: 401 });
        expectProblem(response, 401, "UNAUTHENTICATED");
        expect(response.text).not.toContain("Laptop");
      }
    });

    it("returns 403 FORBIDDEN when a non-admin lists another user's app passwords", async () => {
      const mallory = await registeredUser(service, "mallory");
      const response = await list({ token: mallory.token, user: alice.userId });
      expectProblem(response, 403, "FORBIDDEN");
      expect(response.text).not.toContain("Laptop");
    });

    it("never contains a password, a hash or a word of argon2", async () => {
      for (const response of [
        await list({ token: alice.token }),
        await list({ token: admin.token, user: alice.userId }),
      ]) {
        for (const password of passwords) expect(response.text).not.toContain(password);
        expect(response.text).not.toMatch(/argon2|\$v=19|"hash"|"password"/i);
      }
    });

    it("answers Cache-Control: no-store and X-Content-Type-Options: nosniff on every response", async () => {
      const responses = [
        await list({ token: alice.token }),
        await list({ token: alice.token, user: "alice" }),
        await list(),
        await list({ token: (await registeredUser(service, "eve")).token, user: alice.userId }),
        await service.call("PUT", "/api/users/me/app-passwords", { token: alice.token }),
        await service.call("GET", "/api/nothing-here", { token: alice.token }),
      ];
      expect(responses.map((response) => response.status)).toEqual([200, 400, 401, 403, 405, 404]);
      for (const response of responses) {
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        expect(response.headers.get("cache-control")).toBe("no-store");
      }
    });
  });
});

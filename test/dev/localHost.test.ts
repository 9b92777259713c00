import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { refusedLeavingUnchanged, registeredUser } from "../support/fixtures";
import { rawRequest } from "../support/rawRequest";
import type { CallResult } from "../support/serviceClient";
import { startTestService, type TestService } from "../support/testService";

/**
 * What the local host answers on its own, before any function runs: no route (404), a wrong method (405),
 * a missing or wrong function key (401), dot segments and percent-encoding in the path. In Azure the
 * Functions host does all of this; these tests hold the local host to the same behaviour.
 */
describe("the local host", () => {
  let service: TestService;
  /** Holds app passwords that no refused request may touch. */
  let alice: Awaited<ReturnType<typeof registeredUser>>;

  beforeAll(async () => {
    service = await startTestService();
    alice = await registeredUser(service, "alice");
  });
  afterAll(() => service.close());

  /** Sends a request that must be refused, and checks that alice's app passwords did not change. */
  const refused = (send: () => Promise<CallResult>) => refusedLeavingUnchanged(service, alice, send);
  const withKey = (key: string = service.functionKey) => ({ "x-functions-key": key });

  describe("no route: 404 NOT_FOUND", () => {
    it.each([
      ["a misspelt path", "POST", "/api/users/me/app-password"],
      ["a misspelt path", "GET", "/api/users/me/app-password"],
      ["a misspelt path", "POST", "/api/users/me/registrations"],
      ["a misspelt path", "POST", "/api/verfiy"],
      ["a path outside /api", "POST", "/users/me/app-passwords"],
      ["a path outside /api", "GET", "/users/me/app-passwords"],
      ["an extra segment", "POST", "/api/users/me/app-passwords/0badc0de/extra"],
      ["an extra segment", "DELETE", "/api/users/me/app-passwords/0badc0de/more"],
      ["an unknown function", "POST", "/api/nothing-here"],
      ["an unknown function", "GET", "/api/nothing-here"],
      ["a missing user", "POST", "/api/users/registration"],
    ])("answers a problem for %s (%s %s)", async (_, method, route) => {
      const response = await refused(() =>
        service.call(method, route, {
          token: alice.token,
          ...(method !== "GET" && { body: { name: "x", user: alice.loginName, password: alice.initialPassword } }),
          headers: withKey(),
        }),
      );
      expectProblem(response, 404, "NOT_FOUND");
    });

    // Resolved, `/api/users/../app-passwords` is the organization's list: read by administrators only, never posted to.
    it.each([
      ["POST", 405, "METHOD_NOT_ALLOWED"],
      ["GET", 403, "FORBIDDEN"],
    ])(
      "resolves the dot segments of %s /api/users/../app-passwords before routing, so no user is named ..",
      async (method, status, code) => {
        const response = await refused(() =>
          rawRequest(service, method, "/api/users/../app-passwords", {
            token: alice.token,
            body: '{"name":"Phone"}',
            headers: { "content-type": "application/json" },
          }),
        );
        expectProblem(response, status, code);
      },
    );

    it.each([
      ["POST", "/api/users/../registration"],
      ["DELETE", "/api/users/../app-passwords/0badc0de"],
      ["DELETE", "/api/users/me/app-passwords/.."],
      ["DELETE", "/api/users/me/app-passwords/%2e%2E"],
    ])("resolves the dot segments of %s %s before routing, so it reaches no function", async (method, path) => {
      const response = await refused(() =>
        rawRequest(service, method, path, {
          token: alice.token,
          body: '{"name":"Phone"}',
          headers: { "content-type": "application/json" },
        }),
      );
      expectProblem(response, 404, "NOT_FOUND");
    });
  });

  it.each([
    ["an empty id (a trailing slash)", "/api/users/me/app-passwords/"],
    ["an id of .", "/api/users/me/app-passwords/."],
    ["an encoded id of .", "/api/users/me/app-passwords/%2E"],
  ])("does not let DELETE with %s delete all of the user's app passwords", async (_, path) => {
    // A client building `/app-passwords/${id}` with an empty or "." id must not wipe every app password.
    const victim = await registeredUser(service, "victim");
    const response = await refusedLeavingUnchanged(service, victim, () =>
      rawRequest(service, "DELETE", path, { token: victim.token }),
    );
    expectProblem(response, response.status);
  });

  describe("wrong method: 405 METHOD_NOT_ALLOWED", () => {
    it.each([
      ["PUT", "/api/users/me/app-passwords"],
      ["PATCH", "/api/users/me/app-passwords"],
      ["POST", "/api/users/me/app-passwords/0badc0de"],
      ["PUT", "/api/users/me/app-passwords/0badc0de"],
      ["GET", "/api/users/me/registration"],
      ["DELETE", "/api/users/me/registration"],
      ["PUT", "/api/users/me/registration"],
      ["GET", "/api/verify"],
      ["PUT", "/api/verify"],
      ["DELETE", "/api/verify"],
    ])("answers a problem for %s %s", async (method, route) => {
      const response = await refused(() =>
        service.call(method, route, {
          token: alice.token,
          ...(method !== "GET" && { body: { name: "x" } }),
          headers: withKey(),
        }),
      );
      expectProblem(response, 405, "METHOD_NOT_ALLOWED");
    });
  });

  it("answers 400 naming the parameter for malformed percent-encoding in the path", async () => {
    const response = await refused(() =>
      service.call("POST", "/api/users/%E0%A4%A/app-passwords", { token: alice.token, body: { name: "Phone" } }),
    );
    expectInvalid(response, "user");
  });

  describe("the function key: 401 INVALID_FUNCTION_KEY", () => {
    const verify = (headers: Record<string, string>, body: unknown, query = "") =>
      service.call("POST", `/api/verify${query}`, { body, headers });
    const rightPassword = () => ({ user: alice.loginName, password: alice.initialPassword, clientIp: "192.0.2.1" });

    it.each([
      ["no function key", {}],
      ["a wrong function key", withKey("not-the-key")],
      ["the function key in another case", withKey("DEV-FUNCTION-KEY")],
      ["an empty function key", withKey("")],
    ])("answers a problem for %s, even with the right password, naming nobody", async (_, headers) => {
      const response = await verify(headers, rightPassword());
      expectProblem(response, 401, "INVALID_FUNCTION_KEY");
      expect(response.text).not.toContain(alice.userId);
    });

    it("checks the key before the body: 401, not 400, for a malformed body without it", async () => {
      expectProblem(await service.call("POST", "/api/verify", { rawBody: "{oops" }), 401, "INVALID_FUNCTION_KEY");
    });

    it("does not take a user's access token in place of the function key", async () => {
      const response = await verify({ authorization: `Bearer ${alice.token}` }, rightPassword());
      expectProblem(response, 401, "INVALID_FUNCTION_KEY");
    });

    it("takes the key in ?code= as the Functions host does", async () => {
      const response = await verify({}, rightPassword(), `?code=${service.functionKey}`);
      expect(response.json).toMatchObject({ valid: true, userId: alice.userId });
    });
  });

  describe("timers: POST /admin/functions/{name}", () => {
    const run = (name: string, key: string) =>
      service.call("POST", `/admin/functions/${name}`, { body: { input: "" }, headers: withKey(key) });

    it("runs a timer function only with the function key", async () => {
      expectProblem(await run("forgetQuietThrottles", "not-the-key"), 401, "INVALID_FUNCTION_KEY");
      expect((await run("forgetQuietThrottles", service.functionKey)).status).toBe(202);
    });

    it("answers 404 NOT_FOUND for a timer function that does not exist", async () => {
      expectProblem(await run("noSuchTimer", service.functionKey), 404, "NOT_FOUND");
    });
  });

  it("answers Cache-Control: no-store and X-Content-Type-Options: nosniff on its own answers too", async () => {
    const responses = [
      await service.call("GET", "/api/nothing-here"),
      await service.call("PUT", "/api/users/me/app-passwords", { token: alice.token }),
      await service.call("POST", "/api/verify", { body: {} }),
    ];
    expect(responses.map((response) => response.status)).toEqual([404, 405, 401]);
    for (const response of responses) {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
  });
});

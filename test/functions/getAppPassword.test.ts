import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { registeredUser, type RegisteredUser } from "../support/fixtures";
import { startWithAliceAndAdmin, type FunctionHarness } from "../support/functionHarness";

describe("getAppPassword: GET /api/users/{user}/app-passwords/{id}", () => {
  let service: FunctionHarness, alice: RegisteredUser, admin: RegisteredUser;

  beforeAll(async () => {
    ({ service, alice, admin } = await startWithAliceAndAdmin());
  });
  afterAll(() => service.close());

  const get = (route: string, token?: string) =>
    service.call("GET", `/api/users/${route}`, { ...(token !== undefined && { token }) });

  describe("happy", () => {
    it("returns 200 with the item, never its password or hash", async () => {
      const response = await get(`me/app-passwords/${alice.initialId}`, alice.token);
      expect(response.status).toBe(200);
      expect(response.json).toEqual({
        id: alice.initialId,
        name: "Initial app password",
        createdAt: expect.any(String),
      });
      expect(response.text).not.toContain(alice.initialPassword);
      expect(response.text).not.toContain("argon2");
    });

    it("returns the same item to an admin naming the owner by object id or by login name in any case", async () => {
      const own = (await get(`me/app-passwords/${alice.initialId}`, alice.token)).json;
      for (const user of [alice.userId, alice.loginName.toUpperCase()]) {
        const response = await get(`${encodeURIComponent(user)}/app-passwords/${alice.initialId}`, admin.token);
        expect(response.json).toEqual(own);
      }
    });
  });

  describe("errors", () => {
    it("returns 404 APP_PASSWORD_NOT_FOUND for an unknown id", async () => {
      expectProblem(await get("me/app-passwords/0badc0de", alice.token), 404, "APP_PASSWORD_NOT_FOUND");
    });

    it("returns 400 INVALID_REQUEST naming id when it is not 8 hex digits", async () => {
      expectInvalid(await get("me/app-passwords/NOTANID1", alice.token), "id");
    });

    it("returns 404 USER_NOT_FOUND when an admin names a login name nobody registered", async () => {
      expectProblem(
        await get(`nobody@contoso.com/app-passwords/${alice.initialId}`, admin.token),
        404,
        "USER_NOT_FOUND",
      );
    });
  });

  describe("security", () => {
    it("returns 401 without a token", async () => {
      expectProblem(await get(`me/app-passwords/${alice.initialId}`), 401, "UNAUTHENTICATED");
    });

    it("returns 403 to anyone else, by object id or login name, and tells nothing of what exists", async () => {
      const eve = await registeredUser(service, "eve");
      for (const user of [alice.userId, alice.loginName, "nobody@contoso.com"]) {
        const response = await get(`${user}/app-passwords/${alice.initialId}`, eve.token);
        expectProblem(response, 403, "FORBIDDEN");
        expect(response.text).not.toContain("Initial app password");
      }
    });

    it("never finds another user's app password under one's own name", async () => {
      const eve = await registeredUser(service, "eve");
      expectProblem(await get(`me/app-passwords/${alice.initialId}`, eve.token), 404, "APP_PASSWORD_NOT_FOUND");
    });
  });
});

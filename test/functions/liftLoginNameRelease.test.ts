import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ROLES, INVALID_USER_PARAMS } from "../support/constants";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { newUser, registeredUser, type TestUser } from "../support/fixtures";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";

describe("liftLoginNameRelease: DELETE /api/users/{user}/released-login-names/{loginName}", () => {
  let service: FunctionHarness;
  let admin: TestUser;

  beforeAll(async () => {
    service = await startFunctionHarness();
    admin = await newUser(service, "admin", ADMIN_ROLES);
  });
  afterAll(() => service.close());

  const lift = (user: string, loginName: string, token = admin.token) =>
    service.call("DELETE", `/api/users/${user}/released-login-names/${encodeURIComponent(loginName)}`, { token });
  const release = (loginName: string) =>
    service.call("DELETE", `/api/login-names/${encodeURIComponent(loginName)}`, { token: admin.token });

  describe("happy", () => {
    it("returns 204, after which the person's next visit takes the name back and their passwords verify", async () => {
      const person = await registeredUser(service, "lift");
      expect((await release(person.loginName)).status).toBe(204);
      const refused = await service.call("POST", "/api/users/me/registration", { token: person.token });
      expectProblem(refused, 409, "LOGIN_NAME_IN_USE");

      const response = await lift(person.userId, person.loginName.toUpperCase());
      expect(response.status).toBe(204);
      expect(response.text).toBe("");
      expect((await service.verify(person.loginName, person.initialPassword)).json).toEqual({ valid: false });
      const again = await service.call("POST", "/api/users/me/registration", { token: person.token });
      expect(again.status).toBe(200);
      expect((await service.verify(person.loginName, person.initialPassword)).json).toMatchObject({
        valid: true,
        userId: person.userId,
        loginName: person.loginName,
      });
    });
  });

  describe("errors", () => {
    it("returns 404 LOGIN_NAME_NOT_FOUND when the name was not released from that account", async () => {
      const person = await registeredUser(service, "never-released");
      expectProblem(await lift(person.userId, person.loginName), 404, "LOGIN_NAME_NOT_FOUND");
    });

    it.each(INVALID_USER_PARAMS)("returns 400 INVALID_REQUEST naming user when {user} is %s", async (_, user) => {
      expectInvalid(await lift(user, "someone@contoso.com"), "user");
    });
  });

  describe("security", () => {
    it("returns 403 FORBIDDEN to the person themselves, who cannot lift their own release", async () => {
      const person = await registeredUser(service, "self-lift");
      expect((await release(person.loginName)).status).toBe(204);
      expectProblem(await lift("me", person.loginName, person.token), 403, "FORBIDDEN");
      expectProblem(
        await service.call("POST", "/api/users/me/registration", { token: person.token }),
        409,
        "LOGIN_NAME_IN_USE",
      );
    });
  });
});

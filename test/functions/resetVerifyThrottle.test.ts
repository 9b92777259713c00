import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { THROTTLE_RULES } from "../../shared/domain/verifyThrottle";
import { ADMIN_ROLES, INVALID_USER_PARAMS } from "../support/constants";
import { countedWrongPasswords } from "../support/countedWrongPasswords";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { newUser, registeredUser, type TestUser } from "../support/fixtures";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";

describe("resetVerifyThrottle: DELETE /api/users/{user}/throttle", () => {
  const attacker = "203.0.113.77";
  let service: FunctionHarness;
  let admin: TestUser;

  beforeAll(async () => {
    service = await startFunctionHarness();
    admin = await newUser(service, "admin", ADMIN_ROLES);
  });
  afterAll(() => service.close());

  const reset = (user: string, token?: string) =>
    service.call("DELETE", `/api/users/${user}/throttle`, { ...(token !== undefined && { token }) });
  const signIn = (person: Awaited<ReturnType<typeof registeredUser>>) =>
    service.verify(person.loginName, person.initialPassword, { clientIp: attacker });

  /** A registered person whom verify refuses from the attacker's address, after as many failures as it takes. */
  async function lockedOut() {
    const person = await registeredUser(service, "locked");
    const nextWrong = countedWrongPasswords(service, person.userId);
    for (let i = 0; i < THROTTLE_RULES.maxConsecutiveFailures; i++) {
      expect((await service.verify(person.loginName, await nextWrong(), { clientIp: attacker })).status).toBe(200);
    }
    expectProblem(await signIn(person), 429, "VERIFY_THROTTLED");
    return person;
  }

  describe("happy", () => {
    it("returns 204 without a body, and the user signs in again at once from the address that was locked out", async () => {
      const person = await lockedOut();
      const response = await reset(person.userId, admin.token);
      expect(response.status).toBe(204);
      expect(response.text).toBe("");
      expect((await signIn(person)).json).toMatchObject({ valid: true, userId: person.userId });
    });

    it("accepts the object id in upper case", async () => {
      const person = await lockedOut();
      expect((await reset(person.userId.toUpperCase(), admin.token)).status).toBe(204);
      expect((await signIn(person)).json.valid).toBe(true);
    });

    it("returns 204 for a user with no throttling to lift", async () => {
      expect((await reset("3f2504e0-4f89-41d3-9a0c-0305e82c3301", admin.token)).status).toBe(204);
    });
  });

  describe("errors", () => {
    it.each(INVALID_USER_PARAMS)("returns 400 INVALID_REQUEST naming user when {user} is %s", async (_, user) => {
      expectInvalid(await reset(user, admin.token), "user");
    });
  });

  describe("security", () => {
    it("returns 401, not 400, when a request without a token is also malformed", async () => {
      expectProblem(await reset("alice"), 401, "UNAUTHENTICATED");
    });

    it("answers Cache-Control: no-store and X-Content-Type-Options: nosniff on every response", async () => {
      const responses = [
        await reset(admin.userId, admin.token),
        await reset("ME", admin.token),
        await reset("me"),
        await reset("me", (await newUser(service, "eve")).token),
      ];
      expect(responses.map((response) => response.status)).toEqual([204, 400, 401, 403]);
      for (const response of responses) {
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        expect(response.headers.get("cache-control")).toBe("no-store");
      }
    });
  });
});

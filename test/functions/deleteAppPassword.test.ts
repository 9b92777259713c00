import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ROLES, INVALID_USER_PARAMS } from "../support/constants";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { listOf, newUser, refusedLeavingUnchanged, registeredUser, type TestUser } from "../support/fixtures";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";
import type { CallResult } from "../support/serviceClient";

describe("deleteAppPassword: DELETE /api/users/{user}/app-passwords/{id}", () => {
  let service: FunctionHarness;
  let admin: TestUser;
  /** Holds a few app passwords that every refused request must leave alone. */
  let alice: Awaited<ReturnType<typeof registeredUser>>;

  beforeAll(async () => {
    service = await startFunctionHarness();
    admin = await registeredUser(service, "admin", ADMIN_ROLES);
    alice = await registeredUser(service, "alice");
    await create(alice, "Laptop");
  });
  afterAll(() => service.close());

  async function create(owner: TestUser, name: string) {
    const created = await service.call("POST", "/api/users/me/app-passwords", { token: owner.token, body: { name } });
    expect(created.status).toBe(201);
    return { id: created.json.id as string, password: created.json.password as string };
  }

  const remove = (route: string, token?: string) =>
    service.call("DELETE", `/api/users/${route}`, { ...(token !== undefined && { token }) });

  /** Sends a request that must be refused, and checks that alice's app passwords did not change. */
  const refused = (send: () => Promise<CallResult>) => refusedLeavingUnchanged(service, alice, send);

  describe("happy", () => {
    it("returns 204 without a body, and the app password stops working at once", async () => {
      const bob = await registeredUser(service, "bob");
      const phone = await create(bob, "Phone");
      expect((await service.verify(bob.loginName, phone.password)).json.valid).toBe(true);

      const response = await remove(`me/app-passwords/${phone.id}`, bob.token);
      expect(response.status).toBe(204);
      expect(response.text).toBe("");
      expect((await service.verify(bob.loginName, phone.password)).json).toEqual({ valid: false });
      const list = await listOf(service, bob.token);
      expect(list.items.map((item) => item.id)).toEqual([bob.initialId]);
      expect((await service.verify(bob.loginName, bob.initialPassword)).json.valid).toBe(true);
    });

    it("deletes all of the user's app passwords when no id is given", async () => {
      const carol = await registeredUser(service, "carol");
      const phone = await create(carol, "Phone");
      const response = await remove("me/app-passwords", carol.token);
      expect(response.status).toBe(204);
      expect(await listOf(service, carol.token)).toMatchObject({ items: [], count: 0 });
      for (const password of [carol.initialPassword, phone.password]) {
        expect((await service.verify(carol.loginName, password)).json).toEqual({ valid: false });
      }
    });

    it("returns 204 when deleting all of nothing", async () => {
      const stranger = await newUser(service, "stranger");
      expect((await remove("me/app-passwords", stranger.token)).status).toBe(204);
    });

    it("makes room for a new app password", async () => {
      const dave = await registeredUser(service, "dave");
      expect((await remove(`me/app-passwords/${dave.initialId}`, dave.token)).status).toBe(204);
      expect((await listOf(service, dave.token)).count).toBe(0);
      await create(dave, "Replacement");
      expect((await listOf(service, dave.token)).count).toBe(1);
    });

    it("accepts the caller's own object id in place of me", async () => {
      const erin = await registeredUser(service, "erin");
      expect((await remove(`${erin.userId.toUpperCase()}/app-passwords/${erin.initialId}`, erin.token)).status).toBe(
        204,
      );
      expect((await listOf(service, erin.token)).count).toBe(0);
    });

    it("lets an admin delete one, or all, of another user's app passwords", async () => {
      const frank = await registeredUser(service, "frank");
      const phone = await create(frank, "Phone");
      await create(frank, "Tablet");
      expect((await remove(`${frank.userId}/app-passwords/${phone.id}`, admin.token)).status).toBe(204);
      expect((await listOf(service, frank.token)).count).toBe(2);
      expect((await remove(`${frank.userId}/app-passwords`, admin.token)).status).toBe(204);
      expect((await listOf(service, frank.token)).count).toBe(0);
    });
  });

  describe("errors", () => {
    it.each([
      ["too short", "abc"],
      ["too long", "0badc0de0"],
      ["not hex", "zzzzzzzz"],
      ["upper case hex", "0BADC0DE"],
      ["the stored row key", "ap_0badc0de"],
      ["an encoded slash", "0bad%2Fc0de"],
      ["a wildcard", "*"],
      ["a quote", "0badc0d'"],
    ])("returns 400 INVALID_REQUEST naming id when the id is %s", async (_, id) => {
      expectInvalid(await refused(() => remove(`me/app-passwords/${id}`, alice.token)), "id");
    });

    it("returns 404 APP_PASSWORD_NOT_FOUND when the id is unknown", async () => {
      const response = await refused(() => remove("me/app-passwords/0badc0de", alice.token));
      expectProblem(response, 404, "APP_PASSWORD_NOT_FOUND");
    });

    it("returns 404 APP_PASSWORD_NOT_FOUND when the app password was already deleted", async () => {
      const gone = await create(alice, "Gone");
      expect((await remove(`me/app-passwords/${gone.id}`, alice.token)).status).toBe(204);
      expectProblem(
        await refused(() => remove(`me/app-passwords/${gone.id}`, alice.token)),
        404,
        "APP_PASSWORD_NOT_FOUND",
      );
    });

    it("returns 404 APP_PASSWORD_NOT_FOUND when an admin names a user who has none", async () => {
      const unknown = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
      expectProblem(await remove(`${unknown}/app-passwords/0badc0de`, admin.token), 404, "APP_PASSWORD_NOT_FOUND");
    });

    it.each(INVALID_USER_PARAMS)("returns 400 INVALID_REQUEST naming user when {user} is %s", async (_, user) => {
      expectInvalid(await refused(() => remove(`${user}/app-passwords/0badc0de`, alice.token)), "user");
      expectInvalid(await refused(() => remove(`${user}/app-passwords`, alice.token)), "user");
    });

    it("returns 400 naming id, deleting nothing, for an empty id (a trailing slash), not delete them all", async () => {
      // A client building `/app-passwords/${id}` with an empty id must not wipe every app password.
      const victim = await registeredUser(service, "victim");
      const response = await refusedLeavingUnchanged(service, victim, () =>
        service.call("DELETE", "/api/users/me/app-passwords/", { token: victim.token }),
      );
      expectInvalid(response, "id");
    });
  });

  describe("security", () => {
    it("does not let one user delete another's app password through their own partition", async () => {
      const mallory = await registeredUser(service, "mallory2");
      const response = await refused(() => remove(`me/app-passwords/${alice.initialId}`, mallory.token));
      expectProblem(response, 404, "APP_PASSWORD_NOT_FOUND");
    });

    it("answers X-Content-Type-Options: nosniff on every response", async () => {
      const gina = await registeredUser(service, "gina");
      const responses = [
        await remove(`me/app-passwords/${gina.initialId}`, gina.token),
        await remove("me/app-passwords/0badc0de", gina.token),
        await remove("me/app-passwords/nope", gina.token),
        await remove("me/app-passwords"),
        await remove(`${alice.userId}/app-passwords`, gina.token),
      ];
      expect(responses.map((response) => response.status)).toEqual([204, 404, 400, 401, 403]);
      for (const response of responses) expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    });
  });
});

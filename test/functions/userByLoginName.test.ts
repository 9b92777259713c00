import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_USER_PARAMS } from "../support/constants";
import { expectProblem } from "../support/expectProblem";
import type { RegisteredUser } from "../support/fixtures";
import { startWithAliceAndAdmin, type FunctionHarness } from "../support/functionHarness";

/** Every route about a user, with `{user}` in place, and a body it accepts. */
const USER_ROUTES = [
  ["POST", "{user}/registration", {}],
  ["POST", "{user}/app-passwords", { name: "x" }],
  ["GET", "{user}/app-passwords", undefined],
  ["GET", "{user}/app-passwords/0badc0de", undefined],
  ["PATCH", "{user}/app-passwords/0badc0de", { name: "x" }],
  ["DELETE", "{user}/app-passwords/0badc0de", undefined],
  ["DELETE", "{user}/app-passwords", undefined],
  ["GET", "{user}/activity", undefined],
  ["DELETE", "{user}/throttle", undefined],
] as const;

describe("{user} as a login name, on every route about a user", () => {
  let service: FunctionHarness, alice: RegisteredUser, admin: RegisteredUser;

  beforeAll(async () => {
    ({ service, alice, admin } = await startWithAliceAndAdmin());
  });
  afterAll(() => service.close());

  const send = (method: string, route: string, user: string, token: string, body: unknown) =>
    service.call(method, `/api/users/${route.replace("{user}", user)}`, {
      token,
      ...(body !== undefined && { body }),
    });

  describe.each(USER_ROUTES)("%s %s", (method, route, body) => {
    it.each(OTHER_USER_PARAMS)("returns 403 FORBIDDEN to a non-admin naming %s", async (_, user) => {
      expectProblem(await send(method, route, user, alice.token, body), 403, "FORBIDDEN");
    });

    it("returns 404 USER_NOT_FOUND to an admin naming a login name nobody registered", async () => {
      expectProblem(await send(method, route, "nobody@contoso.com", admin.token, body), 404, "USER_NOT_FOUND");
    });

    it("reads a non-admin's own login name, in any case, as themselves", async () => {
      const byName = await send(method, route, alice.loginName.toUpperCase(), alice.token, body);
      const byMe = await send(method, route, "me", alice.token, body);
      expect(byName.status).toBe(byMe.status);
      expect(byName.json?.code).toBe(byMe.json?.code);
    });
  });

  it("lets an admin reset the throttling of a person named by login name", async () => {
    const response = await send("DELETE", "{user}/throttle", alice.loginName.toUpperCase(), admin.token, undefined);
    expect(response.status).toBe(204);
  });
});

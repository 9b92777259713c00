import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { listOf, registeredUser, type RegisteredUser } from "../support/fixtures";
import { startWithAliceAndAdmin, type FunctionHarness } from "../support/functionHarness";

describe("renameAppPassword: PATCH /api/users/{user}/app-passwords/{id}", () => {
  let service: FunctionHarness, alice: RegisteredUser, admin: RegisteredUser;

  beforeAll(async () => {
    ({ service, alice, admin } = await startWithAliceAndAdmin());
  });
  afterAll(() => service.close());

  const rename = (body: unknown, options: { token?: string; user?: string; id?: string } = {}) =>
    service.call("PATCH", `/api/users/${options.user ?? "me"}/app-passwords/${options.id ?? alice.initialId}`, {
      ...(options.token !== undefined && { token: options.token }),
      body,
    });

  describe("happy", () => {
    it("returns 200 with the renamed item, trimmed; the list shows it and the password keeps working", async () => {
      const response = await rename({ name: "  Alice's phone  " }, { token: alice.token });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ id: alice.initialId, name: "Alice's phone", createdAt: expect.any(String) });
      expect((await listOf(service, alice.token)).items[0]?.name).toBe("Alice's phone");
      expect((await service.verify(alice.loginName, alice.initialPassword)).json.valid).toBe(true);
    });

    it("lets an admin rename, by login name, and logs who did it", async () => {
      const response = await rename({ name: "Renamed by IT" }, { token: admin.token, user: alice.loginName });
      expect(response.json.name).toBe("Renamed by IT");
      const activity = await service.call("GET", "/api/users/me/activity", { token: alice.token });
      const events = activity.json.items as { event: string }[];
      expect(events.find((event) => event.event === "renamed")).toMatchObject({
        name: "Renamed by IT",
        previousName: "Alice's phone",
        by: "admin",
      });
    });
  });

  describe("errors", () => {
    it.each([
      ["empty", { name: "" }],
      ["blank", { name: "   " }],
      ["too long", { name: "n".repeat(129) }],
      ["with a line break", { name: "a\nb" }],
      ["with a bidirectional override", { name: "a\u202Eb" }],
      ["not a string", { name: 7 }],
      ["missing", {}],
    ])("returns 400 INVALID_REQUEST naming name when it is %s", async (_, body) => {
      expectInvalid(await rename(body, { token: alice.token }), "name");
    });

    it("returns 400 naming a field it does not know", async () => {
      expectInvalid(await rename({ name: "x", expiresInDays: 3 }, { token: alice.token }), "body");
    });

    it("returns 404 APP_PASSWORD_NOT_FOUND for an unknown id", async () => {
      expectProblem(await rename({ name: "x" }, { token: alice.token, id: "0badc0de" }), 404, "APP_PASSWORD_NOT_FOUND");
    });
  });

  describe("security", () => {
    it("returns 401 without a token", async () => {
      expectProblem(await rename({ name: "x" }), 401, "UNAUTHENTICATED");
    });

    it("returns 403 to anyone else, and leaves the name as it was", async () => {
      const eve = await registeredUser(service, "eve");
      const before = (await listOf(service, alice.token)).items;
      for (const user of [alice.userId, alice.loginName]) {
        expectProblem(await rename({ name: "pwned" }, { token: eve.token, user }), 403, "FORBIDDEN");
      }
      expect((await listOf(service, alice.token)).items).toEqual(before);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/testService";

/** The whole story over HTTP, through the local host, as a person, a mail gateway and an admin live it. */
describe("app passwords, end to end", () => {
  let service: TestService;
  let alice: string;
  let admin: string;
  let initialPassword: string;
  const created: { id: string; password: string }[] = [];

  beforeAll(async () => {
    service = await startTestService();
    alice = await service.token({ upn: "Alice@Contoso.com" });
    admin = await service.token({ upn: "admin@contoso.com", roles: ["AppPasswords.Admin"] });
  });
  afterAll(() => service.close());

  it("refuses to create an app password before registration, saying to register first", async () => {
    const response = await service.call("POST", "/api/users/me/app-passwords", { token: alice, body: { name: "x" } });
    expect(response.status).toBe(409);
    expect(response.json.code).toBe("REGISTRATION_REQUIRED");
    expect(response.json.detail).toMatch(/registration/);
  });

  it("gives the initial app password at the first registration, once", async () => {
    const first = await service.call("POST", "/api/users/me/registration", { token: alice });
    expect(first.status).toBe(201);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.json.appPassword).toMatchObject({ name: "Initial app password" });
    expect(first.json.appPassword.password).toMatch(/^[a-z]{16}$/);
    initialPassword = first.json.appPassword.password as string;

    const again = await service.call("POST", "/api/users/me/registration", { token: alice });
    expect(again.status).toBe(200);
    expect(again.json.appPassword).toBeUndefined();
    expect(again.text).not.toContain(initialPassword);
  });

  it("creates app passwords up to 40 and refuses the 41st, telling the user to delete one first", async () => {
    for (let i = 2; i <= 40; i++) {
      const response = await service.call("POST", "/api/users/me/app-passwords", {
        token: alice,
        body: { name: `Device ${i}` },
      });
      expect(response.status).toBe(201);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("location")).toBe(`/api/users/me/app-passwords/${response.json.id}`);
      created.push({ id: response.json.id as string, password: response.json.password as string });
    }
    const refused = await service.call("POST", "/api/users/me/app-passwords", {
      token: alice,
      body: { name: "one more" },
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.json).toMatchObject({ code: "APP_PASSWORD_LIMIT_REACHED", status: 409, limit: 40 });
    expect(refused.json.detail).toMatch(/delete one of your existing app passwords/i);
  });

  it("lists names and dates, never a secret", async () => {
    const list = await service.call("GET", "/api/users/me/app-passwords", { token: alice });
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ count: 40, limit: 40 });
    expect(list.json.items).toHaveLength(40);
    expect(list.json.items[0].name).toBe("Initial app password");
    expect(list.json.items[39].name).toBe("Device 40");
    for (const item of list.json.items as Record<string, unknown>[]) {
      expect(Object.keys(item).sort()).toEqual(expect.arrayContaining(["createdAt", "id", "name"]));
      expect(item).not.toHaveProperty("password");
      expect(item).not.toHaveProperty("hash");
    }
    for (const secret of [initialPassword, ...created.map((c) => c.password)]) expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain("argon2");
  });

  it("verifies the app password, typed with spaces or hyphens, in upper case, and with the UPN in upper case", async () => {
    const last = created.at(-1)!;
    const spaced = last.password.replace(/(.{4})/g, "$1 ").trim();
    for (const [user, password] of [
      ["alice@contoso.com", last.password],
      ["ALICE@CONTOSO.COM", spaced.toUpperCase()],
      ["Alice@Contoso.com", last.password.replace(/(.{4})(?!$)/g, "$1-")],
    ] as const) {
      const response = await service.verify(user, password, { protocol: "imap", clientIp: "203.0.113.7" });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({
        valid: true,
        userId: expect.any(String),
        loginName: "alice@contoso.com",
        appPasswordId: last.id,
      });
    }
    const byObjectId = await service.verify(
      (await service.call("POST", "/api/users/me/registration", { token: alice })).json.userId,
      initialPassword,
    );
    expect(byObjectId.json.valid).toBe(true);
  });

  it("records when an app password was last used", async () => {
    const list = await service.call("GET", "/api/users/me/app-passwords", { token: alice });
    const used = (list.json.items as { id: string; lastUsedAt?: string }[]).find((i) => i.id === created.at(-1)!.id);
    expect(used?.lastUsedAt).toEqual(expect.any(String));
  });

  it("answers valid: false, and nothing else, for a wrong password and for an unknown user", async () => {
    const wrong = await service.verify("alice@contoso.com", "aaaaaaaaaaaaaaaa");
    const unknown = await service.verify("nobody@contoso.com", created[0]!.password);
    expect(wrong.status).toBe(200);
    expect(wrong.json).toEqual({ valid: false });
    expect(unknown.status).toBe(200);
    expect(unknown.json).toEqual({ valid: false });
  });

  it("deletes an app password, which stops working at once", async () => {
    const victim = created[5]!;
    expect((await service.verify("alice@contoso.com", victim.password)).json.valid).toBe(true);
    const removed = await service.call("DELETE", `/api/users/me/app-passwords/${victim.id}`, { token: alice });
    expect(removed.status).toBe(204);
    expect((await service.verify("alice@contoso.com", victim.password)).json).toEqual({ valid: false });
    const again = await service.call("DELETE", `/api/users/me/app-passwords/${victim.id}`, { token: alice });
    expect(again.status).toBe(404);
    expect(again.json.code).toBe("APP_PASSWORD_NOT_FOUND");
    const list = await service.call("GET", "/api/users/me/app-passwords", { token: alice });
    expect(list.json.count).toBe(39);
    const room = await service.call("POST", "/api/users/me/app-passwords", { token: alice, body: { name: "Car" } });
    expect(room.status).toBe(201);
  });

  it("lets an admin list and delete all of another user's app passwords", async () => {
    const aliceId = (await service.call("POST", "/api/users/me/registration", { token: alice })).json.userId as string;
    const listed = await service.call("GET", `/api/users/${aliceId}/app-passwords`, { token: admin });
    expect(listed.status).toBe(200);
    expect(listed.json.count).toBe(40);
    const wiped = await service.call("DELETE", `/api/users/${aliceId}/app-passwords`, { token: admin });
    expect(wiped.status).toBe(204);
    const after = await service.call("GET", "/api/users/me/app-passwords", { token: alice });
    expect(after.json).toMatchObject({ items: [], count: 0 });
    for (const secret of [initialPassword, created[0]!.password, created.at(-1)!.password]) {
      expect((await service.verify("alice@contoso.com", secret)).json).toEqual({ valid: false });
    }
  });
});

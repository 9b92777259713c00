import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listOf, registeredUser, type RegisteredUser } from "../support/fixtures";
import { expectInvalid, fieldsOf } from "../support/expectProblem";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";
import { countingHasher } from "../support/testService";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("createAppPassword with restrictions and a lifetime", () => {
  let service: FunctionHarness;
  let alice: RegisteredUser;
  const clock = { aheadMs: 0 };
  const argon2 = { hash: 0, verify: 0 };

  beforeAll(async () => {
    service = await startFunctionHarness({
      now: () => new Date(Date.now() + clock.aheadMs),
      wrapHasher: countingHasher(argon2),
    });
    alice = await registeredUser(service, "alice");
  });
  afterAll(() => service.close());

  const create = (body: unknown) => service.call("POST", "/api/users/me/app-passwords", { token: alice.token, body });

  describe("happy", () => {
    it("stores and returns expiresAt, protocols and allowedIps, in the answer and the list", async () => {
      const response = await create({
        name: "Phone",
        expiresInDays: 30,
        protocols: ["imap", "smtp"],
        allowedIps: ["203.0.113.0/24", "2001:DB8::/32", "198.51.100.7"],
      });
      expect(response.status).toBe(201);
      const { password, ...item } = response.json;
      expect(password).toMatch(/^[a-z]{16}$/);
      expect(item).toEqual({
        id: expect.any(String),
        name: "Phone",
        createdAt: expect.any(String),
        expiresAt: new Date(Date.parse(item.createdAt as string) + 30 * DAY_MS).toISOString(),
        expired: false,
        protocols: ["imap", "smtp"],
        allowedIps: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7/32"],
      });
      expect((await listOf(service, alice.token)).items).toContainEqual(item);
    });

    it("verifies only with an allowed protocol from an allowed address, until it expires; others count as failures", async () => {
      const response = await create({
        name: "Mail",
        expiresInDays: 2,
        protocols: ["imap"],
        allowedIps: ["203.0.113.0/24"],
      });
      const password = response.json.password as string;
      const verify = (clientIp: string, protocol: string) =>
        service.verify(alice.loginName, password, { clientIp, protocol });
      argon2.verify = 0;
      expect((await verify("203.0.113.5", "imaps")).json.valid).toBe(true);
      expect((await verify("203.0.113.5", "pop3")).json).toEqual({ valid: false });
      expect((await verify("198.51.100.5", "imap")).json).toEqual({ valid: false });
      // Each costs one argon2 verification, right or not.
      expect(argon2.verify).toBe(3);
      clock.aheadMs = 2 * DAY_MS;
      expect((await verify("203.0.113.5", "imap")).json).toEqual({ valid: false });
      const listed = (await listOf(service, alice.token)).items.find((item) => item.id === response.json.id);
      expect(listed).toMatchObject({ expired: true });
      clock.aheadMs = 0;
    });
  });

  describe("errors", () => {
    it.each([
      ["expiresInDays", 0],
      ["expiresInDays", 366],
      ["expiresInDays", 1.5],
      ["expiresInDays", "7"],
      ["protocols", ["telnet"]],
      ["protocols", []],
      ["protocols", "imap"],
      ["allowedIps", ["10.0.0.0/33"]],
      ["allowedIps", ["example.com"]],
      ["allowedIps", []],
      ["allowedIps", Array.from({ length: 11 }, (_, i) => `10.0.${i}.0/24`)],
    ])("returns 400 naming %s when it is %j", async (field, value) => {
      const response = await create({ name: "x", [field]: value });
      expectInvalid(response, fieldsOf(response).find((named) => named.startsWith(field)) ?? field);
    });
  });
});

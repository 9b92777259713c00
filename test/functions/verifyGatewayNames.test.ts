import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredUser, type RegisteredUser } from "../support/fixtures";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";

// Names a gateway sends are data: one that happens to be a property of every JavaScript object is as unknown
// as any other, so it is `other`, never a storage error (503) or a crash (500).
describe("verifyAppPassword with protocol names that are properties of every object", () => {
  let service: FunctionHarness;
  let alice: RegisteredUser;

  beforeAll(async () => {
    service = await startFunctionHarness();
    alice = await registeredUser(service, "alice");
  });
  afterAll(() => service.close());

  const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];

  // Each with an app password of its own, so each verify is a first use, which writes the protocol it used.
  it.each(NAMES)("answers 200 valid: true for protocol %s, and records the use as other", async (protocol) => {
    const created = await service.call("POST", "/api/users/me/app-passwords", {
      token: alice.token,
      body: { name: `Gateway ${protocol}` },
    });
    const response = await service.verify(alice.loginName, created.json.password as string, { protocol });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      valid: true,
      userId: alice.userId,
      loginName: alice.loginName,
      appPasswordId: created.json.id,
    });
    const item = await service.call("GET", `/api/users/me/app-passwords/${created.json.id as string}`, {
      token: alice.token,
    });
    expect(item.json.lastUsedProtocol).toBe("other");
  });

  it("refuses protocol constructor for an app password limited to imap (it is other), with 200 valid: false", async () => {
    const created = await service.call("POST", "/api/users/me/app-passwords", {
      token: alice.token,
      body: { name: "IMAP only", protocols: ["imap"] },
    });
    const password = created.json.password as string;
    for (const protocol of NAMES) {
      const response = await service.verify(alice.loginName, password, { protocol, clientIp: "192.0.2.44" });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ valid: false });
    }
    expect((await service.verify(alice.loginName, password, { protocol: "imaps" })).json.valid).toBe(true);
  });
});

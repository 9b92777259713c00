import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../shared/adapters/httpInput";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { registeredUser, uniqueLogin, type TestUser } from "../support/fixtures";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";
import type { CallResult } from "../support/serviceClient";

// Verify throttles repeated failures per (user, client address), so every test that fails a verify on
// purpose does so a few times at most, for a user of its own.
describe("verifyAppPassword: POST /api/verify", () => {
  let service: FunctionHarness;
  let alice: Awaited<ReturnType<typeof registeredUser>>;
  let aliceValid: Record<string, unknown>;

  beforeAll(async () => {
    service = await startFunctionHarness();
    alice = await registeredUser(service, "alice");
    aliceValid = { valid: true, userId: alice.userId, loginName: alice.loginName, appPasswordId: alice.initialId };
  });
  afterAll(() => service.close());

  // The function key is the host's to check (see test/dev and test/security/routeSecurity.test.ts).
  const post = (options: { body?: unknown; rawBody?: string }) =>
    service.call("POST", "/api/verify", {
      ...(options.body !== undefined && { body: options.body }),
      ...(options.rawBody !== undefined && { rawBody: options.rawBody }),
    });

  describe("happy", () => {
    it("returns 200 valid: true with the user and app password ids and the login name", async () => {
      const response = await service.verify(alice.loginName, alice.initialPassword);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(response.json).toEqual(aliceValid);
    });

    it("accepts the object id instead of the login name, in any case", async () => {
      for (const user of [alice.userId, alice.userId.toUpperCase()]) {
        const response = await service.verify(user, alice.initialPassword);
        expect(response.json).toEqual(aliceValid);
      }
    });

    it("accepts the login name in any case and with surrounding spaces", async () => {
      for (const user of [alice.loginName.toUpperCase(), `  ${alice.loginName}  `]) {
        expect((await service.verify(user, alice.initialPassword)).json.valid).toBe(true);
      }
    });

    it("accepts the password grouped with spaces or hyphens, in upper case", async () => {
      const grouped = alice.initialPassword.match(/.{4}/g)!;
      for (const typed of [grouped.join(" "), grouped.join("-").toUpperCase(), ` ${grouped.join("\t")} `]) {
        expect((await service.verify(alice.loginName, typed)).json.valid).toBe(true);
      }
    });

    it.each([
      ["an IPv4 client address", { protocol: "imap", clientIp: "203.0.113.7" }],
      ["an IPv6 client address", { protocol: "smtp", clientIp: "2001:db8::7" }],
      ["an IPv4-mapped IPv6 address", { protocol: "eas", clientIp: "::ffff:203.0.113.8" }],
      ["a gateway's own protocol name", { protocol: "submission" }],
      ["a protocol nobody maps", { protocol: "sieve" }],
      ["a protocol that is not a string", { protocol: 143 }],
      ["no protocol", { protocol: undefined }],
      ["fields it does not know, as a gateway may add", { service: "imap", session: "a1b2", secured: true }],
    ])("accepts %s", async (_, extra) => {
      const response = await service.verify(alice.loginName, alice.initialPassword, extra);
      expect(response.json).toEqual(aliceValid);
    });

    it("returns 200 valid: false for a wrong password", async () => {
      const bob = await registeredUser(service, "bob");
      const response = await service.verify(bob.loginName, "aaaaaaaaaaaaaaaa");
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ valid: false });
    });

    it("returns 200 valid: false for an unknown user and an unknown object id", async () => {
      for (const user of [uniqueLogin("ghost"), "3f2504e0-4f89-41d3-9a0c-0305e82c3301"]) {
        const response = await service.verify(user, alice.initialPassword);
        expect(response.status).toBe(200);
        expect(response.json).toEqual({ valid: false });
      }
    });

    it("returns 200 valid: false for another user's app password", async () => {
      const carol = await registeredUser(service, "carol");
      expect((await service.verify(carol.loginName, alice.initialPassword)).json).toEqual({ valid: false });
    });
  });

  describe("errors", () => {
    it.each([
      ["is not JSON", "{user:"],
      ["is cut short", '{"user": "alice@contoso.com"'],
      ["is empty", ""],
    ])("returns 400 MALFORMED_JSON when the body %s", async (_, rawBody) => {
      expectProblem(await post({ rawBody }), 400, "MALFORMED_JSON");
    });

    it.each([
      ["the user is missing", { password: "abcdefghijklmnop" }, "user"],
      ["the password is missing", { user: "alice@contoso.com" }, "password"],
      ["the client address is missing", { user: "a@contoso.com", password: "abcd" }, "clientIp"],
      ["the client address is empty", { user: "a@contoso.com", password: "abcd", clientIp: "" }, "clientIp"],
      ["the user is a number", { user: 5, password: "abcdefghijklmnop" }, "user"],
      ["the user is null", { user: null, password: "abcdefghijklmnop" }, "user"],
      ["the password is a number", { user: "alice@contoso.com", password: 1234 }, "password"],
      ["the password is an array", { user: "alice@contoso.com", password: ["abcdefghijklmnop"] }, "password"],
      [
        "the client address is not an IP",
        { user: "a@contoso.com", password: "abcd", clientIp: "not-an-ip" },
        "clientIp",
      ],
      [
        "the client address is out of range",
        { user: "a@contoso.com", password: "abcd", clientIp: "999.1.1.1" },
        "clientIp",
      ],
      [
        "the client address has a port",
        { user: "a@contoso.com", password: "abcd", clientIp: "203.0.113.7:993" },
        "clientIp",
      ],
      [
        "the client address is a host name",
        { user: "a@contoso.com", password: "abcd", clientIp: "mail.contoso.com" },
        "clientIp",
      ],
    ])("returns 400 INVALID_REQUEST naming the field when %s", async (_, body, field) => {
      expectInvalid(await post({ body }), field);
    });

    it.each([
      ["the user is empty", () => ["", "abcdefghijklmnop"]],
      ["the user is only spaces", () => ["   ", "abcdefghijklmnop"]],
      ["the user is over 256 characters", () => ["u".repeat(257), "abcdefghijklmnop"]],
      ["the password is empty", () => [uniqueLogin("empty"), ""]],
      ["the password is over 256 characters", () => [uniqueLogin("long"), "p".repeat(257)]],
      ["the password has letters outside a-z", () => [uniqueLogin("alphabet"), "abcd1234efgh5678"]],
    ])("answers 200 valid: false, not a 400 a gateway would report as an outage, when %s", async (_, input) => {
      const [user = "", password = ""] = input();
      expect((await service.verify(user, password)).json).toEqual({ valid: false });
    });

    it("counts an impossible password as a failure: the tenth locks the address out", async () => {
      const frank = await registeredUser(service, "frank");
      const clientIp = "198.51.100.77";
      for (let i = 0; i < 10; i++) {
        expect((await service.verify(frank.loginName, `${"x".repeat(i + 1)}1`, { clientIp })).status).toBe(200);
      }
      expectProblem(
        await service.verify(frank.loginName, frank.initialPassword, { clientIp }),
        429,
        "VERIFY_THROTTLED",
      );
    });

    it.each([
      ["an array", []],
      ["null", null],
      ["a string", "alice@contoso.com"],
    ])("returns 400 INVALID_REQUEST when the body is %s, not an object", async (_, body) => {
      expectProblem(await post({ body }), 400, "INVALID_REQUEST");
    });

    it("returns 413 PAYLOAD_TOO_LARGE for a body over 16 KiB", async () => {
      const response = await post({ body: { user: "a@contoso.com", password: "p".repeat(MAX_BODY_BYTES + 1024) } });
      expectProblem(response, 413, "PAYLOAD_TOO_LARGE");
    });
  });

  describe("security", () => {
    it("answers a wrong password and an unknown user with byte-identical responses", async () => {
      const dave = await registeredUser(service, "dave");
      const wrong = await service.verify(dave.loginName, "aaaaaaaaaaaaaaaa");
      const unknown = await service.verify(uniqueLogin("nobody"), dave.initialPassword);
      const unknownId = await service.verify("6ba7b810-9dad-41d1-80b4-00c04fd430c8", dave.initialPassword);
      const strip = (response: CallResult) => {
        const headers = [...response.headers.entries()].filter(([name]) => name !== "date");
        return { status: response.status, headers, text: response.text };
      };
      expect(strip(wrong)).toEqual(strip(unknown));
      expect(strip(wrong)).toEqual(strip(unknownId));
      expect(wrong.text).toBe('{"valid":false}');
    });

    it("never echoes the password, right or wrong", async () => {
      const erin = await registeredUser(service, "erin");
      for (const password of [erin.initialPassword, "zzzzyyyyxxxxwwww"]) {
        expect((await service.verify(erin.loginName, password)).text).not.toContain(password);
      }
    });

    it.each([
      ["a lone surrogate password", () => [uniqueLogin("surrogate"), "abcd\ud800efgh"]],
      ["a NUL in the password", () => [uniqueLogin("nul"), "abcd\u0000efgh"]],
      ["a login name full of characters a table key cannot hold", () => ["a#b/c\\d?e'f%g\u0001@contoso.com", "x"]],
      ["a long login name of multi-byte characters", () => [`${"é".repeat(240)}@contoso.com`, "abcdefghijklmnop"]],
      ["a long login name of escaped characters", () => [`${"#".repeat(240)}@contoso.com`, "abcdefghijklmnop"]],
      ["a login name that looks like an OData filter", () => ["' or PartitionKey ne '", "abcdefghijklmnop"]],
      ["the all-zero object id", () => ["00000000-0000-0000-0000-000000000000", "abcdefghijklmnop"]],
    ])("answers 200 valid: false, not an error, for %s", async (_, input) => {
      const [user = "", password = ""] = input();
      const response = await service.verify(user, password);
      expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: { valid: false } });
    });

    it("answers Cache-Control: no-store and X-Content-Type-Options: nosniff on every response", async () => {
      const responses = [
        await service.verify(alice.loginName, alice.initialPassword),
        await service.verify(uniqueLogin("sniff"), "abcdefghijklmnop"),
        await post({ rawBody: "{" }),
        await post({ body: { user: "a@contoso.com", password: "p".repeat(MAX_BODY_BYTES + 1024) } }),
      ];
      expect(responses.map((response) => response.status)).toEqual([200, 200, 400, 413]);
      for (const response of responses) {
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        expect(response.headers.get("cache-control")).toBe("no-store");
      }
    });
  });

  // Names a gateway sends are data: one that happens to be a property of every JavaScript object is as unknown
  // as any other, so it is `other`, never a storage error (503) or a crash (500).
  describe("protocol names that are properties of every object", () => {
    let gatewayUser: TestUser;
    beforeAll(async () => {
      gatewayUser = await registeredUser(service, "gateway-names");
    });

    const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];

    // Each with an app password of its own, so each verify is a first use, which writes the protocol it used.
    it.each(NAMES)("answers 200 valid: true for protocol %s, and records the use as other", async (protocol) => {
      const created = await service.call("POST", "/api/users/me/app-passwords", {
        token: gatewayUser.token,
        body: { name: `Gateway ${protocol}` },
      });
      const response = await service.verify(gatewayUser.loginName, created.json.password as string, { protocol });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({
        valid: true,
        userId: gatewayUser.userId,
        loginName: gatewayUser.loginName,
        appPasswordId: created.json.id,
      });
      const item = await service.call("GET", `/api/users/me/app-passwords/${created.json.id as string}`, {
        token: gatewayUser.token,
      });
      expect(item.json.lastUsedProtocol).toBe("other");
    });

    it("refuses protocol constructor for an app password limited to imap (it is other), with 200 valid: false", async () => {
      const created = await service.call("POST", "/api/users/me/app-passwords", {
        token: gatewayUser.token,
        body: { name: "IMAP only", protocols: ["imap"] },
      });
      const password = created.json.password as string;
      for (const protocol of NAMES) {
        const response = await service.verify(gatewayUser.loginName, password, { protocol, clientIp: "192.0.2.44" });
        expect(response.status).toBe(200);
        expect(response.json).toEqual({ valid: false });
      }
      expect((await service.verify(gatewayUser.loginName, password, { protocol: "imaps" })).json.valid).toBe(true);
    });
  });
});

import { isIP } from "node:net";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../support/rawRequest";
import type { CallResult } from "../support/serviceClient";
import { startTestService, type TestService } from "../support/testService";
import { MAX_BODY_BYTES } from "../../shared/adapters/httpInput";
import { CHEAP_ARGON2_SETTINGS } from "../support/constants";
import { expectClientSafeAnswer, expectProblem } from "../support/expectProblem";
import { tableSnapshot, type SnapshotOptions } from "../support/tableSnapshot";

const RUNS = 150;

interface Person {
  readonly oid: string;
  readonly upn: string;
  readonly token: string;
}

type PostEndpoint = "registration" | "create" | "verify";

/**
 * What this test holds a valid app password name to be: a string of 1 to 128 characters after trimming and
 * composing (NFC), well-formed Unicode, with no control, line or paragraph separator or format character
 * (bar the joiner inside an emoji), no character carrying more than four combining marks, and something
 * visible in it.
 */
function acceptableName(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const name = value.trim().normalize("NFC");
  return (
    name.length >= 1 &&
    // zod counts code points, so 128 emoji are 128 characters.
    Array.from(name).length <= 128 &&
    name.isWellFormed() &&
    !/[\p{Cc}\p{Zl}\p{Zp}]/u.test(name) &&
    !/\p{Cf}/u.test(name.replace(/(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/gu, "")) &&
    !/\p{M}{5}/u.test(name) &&
    // Invisible on their own: ignorables (U+3164 Hangul filler among them), spaces, marks, the braille blank.
    name.replace(/[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Z}\s\p{M}\u2800]/gu, "") !== ""
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const onlyKeys = (value: Record<string, unknown>, allowed: readonly string[]) =>
  Object.keys(value).every((key) => allowed.includes(key));

/** The body as the service reads it: UTF-8 bytes, decoded, parsed. */
function parsedAsSent(text: string, emptyAllowed: boolean): { ok: true; json: unknown } | { ok: false } {
  const decoded = Buffer.from(text, "utf8").toString("utf8");
  if (emptyAllowed && decoded.trim() === "") return { ok: true, json: {} };
  try {
    return { ok: true, json: JSON.parse(decoded) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Whether the body is one the endpoint must accept ("valid"), refuse ("invalid"), or either. */
function expectedFor(endpoint: PostEndpoint, text: string): "valid" | "invalid" | "either" {
  const parsed = parsedAsSent(text, endpoint === "registration");
  if (!parsed.ok || !isObject(parsed.json)) return "invalid";
  const body = parsed.json;
  switch (endpoint) {
    case "registration":
      return onlyKeys(body, ["name"]) && (!("name" in body) || acceptableName(body.name)) ? "valid" : "invalid";
    case "create":
      return onlyKeys(body, ["name"]) && acceptableName(body.name) ? "valid" : "invalid";
    case "verify": {
      // Gateway-friendly: other fields are ignored, and any user or password string is a login to check;
      // only a missing user or password, or a missing client address, is a configuration error.
      const { user, password, clientIp } = body;
      if (typeof user !== "string" || typeof password !== "string" || typeof clientIp !== "string") return "invalid";
      // Whether an odd address counts as IPv4/IPv6 is the validator's call; either answer is fine.
      return isIP(clientIp) === 0 ? "either" : "valid";
    }
  }
}

/** Characters and strings that have broken parsers, keys, and portals before. */
const EDGE_CHARACTERS = [
  "\ud800", // lone high surrogate
  "\udfff", // lone low surrogate
  "\u202e", // right-to-left override
  "\u202d",
  "\u2066", // left-to-right isolate
  "\u061c", // Arabic letter mark: a bidirectional control
  "\u200b", // zero-width space
  "\u200c",
  "\u200d",
  "\u2060", // word joiner
  "\ufeff",
  "\u00ad", // soft hyphen
  "\u0301", // combining acute accent
  "\u{e0041}", // tag letter A
  "\u{1f469}", // woman: a pictograph a zero-width joiner may join
  "\u0000",
  "\u0007",
  "\u001f",
  "\u007f",
  "\u0085",
  "\u2028",
  "\u2029",
  "\uffff",
  "\ufffd",
  "'",
  '"',
  "\\",
  "%",
  "/",
  "#",
  "?",
  "`",
  "é",
  "😀",
  "a",
  " ",
] as const;

const edgeString = fc.oneof(
  fc.array(fc.constantFrom(...EDGE_CHARACTERS), { minLength: 1, maxLength: 24 }).map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("a".repeat(129), "x".repeat(257), "é".repeat(256), "%".repeat(256), "😀".repeat(128)),
);

/** Safe JSON text for any string, lone surrogates included (escaped, as JSON.stringify does). */
const json = (value: unknown) => JSON.stringify(value);

describe("fuzzing every endpoint: never a 5xx, always problem+json, nothing stored for invalid input", () => {
  let service: TestService;
  let alice: Person & { readonly ids: readonly string[] };
  let bob: Person;
  let mallory: Person;
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  async function person(prefix: string): Promise<Person> {
    const oid = randomUUID();
    const upn = `${prefix}-${oid.slice(0, 8)}@contoso.com`;
    return { oid, upn, token: await service.token({ upn, oid }) };
  }

  beforeAll(async () => {
    service = await startTestService({ env: CHEAP_ARGON2_SETTINGS });
    // Alice is the victim: app passwords and throttling rows that nobody else's request may touch.
    const a = await person("alice");
    const registered = await service.call("POST", "/api/users/me/registration", { token: a.token });
    const second = await service.call("POST", "/api/users/me/app-passwords", { token: a.token, body: { name: "Mac" } });
    await service.verify(a.upn, "wrong password", { clientIp: "203.0.113.9" });
    alice = { ...a, ids: [registered.json.appPassword.id as string, second.json.id as string] };
    // Bob sends the bodies; Mallory the odd routes, holding no app passwords, so "delete all of mine" is a no-op.
    bob = await person("bob");
    expect((await service.call("POST", "/api/users/me/registration", { token: bob.token })).status).toBe(201);
    mallory = await person("mallory");
    const hers = await service.call("POST", "/api/users/me/registration", { token: mallory.token });
    const deleted = await service.call("DELETE", `/api/users/me/app-passwords/${hers.json.appPassword.id as string}`, {
      token: mallory.token,
    });
    expect(deleted.status).toBe(204);
  });
  afterAll(() => service.close());

  /** The rows a request may not change: all but the throttling rows of strangers, which verify writes. */
  const watched = (): SnapshotOptions => ({ throttle: [alice.oid, bob.oid, mallory.oid] });

  function post(endpoint: PostEndpoint, text: string, options: { chunked?: boolean } = {}): Promise<CallResult> {
    const path = { registration: "/api/users/me/registration", create: "/api/users/me/app-passwords" };
    return endpoint === "verify"
      ? rawRequest(service, "POST", "/api/verify", {
          body: text,
          headers: { "x-functions-key": service.functionKey, "content-type": "application/json" },
          ...options,
        })
      : rawRequest(service, "POST", path[endpoint], {
          body: text,
          headers: { authorization: `Bearer ${bob.token}`, "content-type": "application/json" },
          ...options,
        });
  }

  /** Sends a body and checks the answer against what it should be; invalid input must store nothing. */
  async function checkBody(endpoint: PostEndpoint, text: string) {
    const before = await tableSnapshot(service, watched());
    const response = await post(endpoint, text);
    expectClientSafeAnswer(response);
    const expected = expectedFor(endpoint, text);
    const allowed = {
      registration: { valid: [200], invalid: [400], either: [200, 400] },
      create: { valid: [201], invalid: [400], either: [201, 400] },
      verify: { valid: [200, 429], invalid: [400], either: [200, 400, 429] },
    }[endpoint][expected];
    expect(allowed, `${endpoint} ${json(text)} -> ${response.status} ${response.text}`).toContain(response.status);
    if (response.status === 400) expect(["INVALID_REQUEST", "MALFORMED_JSON"]).toContain(response.json.code);
    if (endpoint === "verify" && response.status === 200) expect(response.json).toEqual({ valid: false });
    if (response.status === 201) {
      // A valid name: the app password exists; remove it again so the next run starts from the same state.
      expect(response.headers.get("cache-control")).toBe("no-store");
      const removed = await service.call("DELETE", `/api/users/me/app-passwords/${response.json.id as string}`, {
        token: bob.token,
      });
      expect(removed.status).toBe(204);
      return;
    }
    expect(await tableSnapshot(service, watched())).toEqual(before);
  }

  const postEndpoint = fc.constantFrom<PostEndpoint>("registration", "create", "verify");

  it("answers random JSON values, non-JSON text and wrongly typed fields with a 4xx problem (or 2xx when valid)", async () => {
    const anyValue = fc.oneof(fc.jsonValue(), fc.string());
    const shaped = fc
      .record(
        { name: anyValue, user: anyValue, password: anyValue, protocol: anyValue, clientIp: anyValue },
        { requiredKeys: [] },
      )
      .map(json);
    const body = fc.oneof(
      fc.jsonValue().map(json),
      fc.string({ unit: "binary", maxLength: 64 }),
      shaped,
      fc.constantFrom("", " ", "{", "[]", "null", '"name"', "{}", '{"name":}', "{'name':'x'}", '{"name":"a"}{}'),
    );
    await fc.assert(
      fc.asyncProperty(postEndpoint, body, (endpoint, text) => checkBody(endpoint, text)),
      { numRuns: RUNS },
    );
  });

  it("refuses prototype-pollution keys in management bodies, ignores them in verify's (as any unknown field), and pollutes nothing", async () => {
    const key = fc.constantFrom("__proto__", "constructor", "prototype");
    // As JSON text: a `__proto__` member in a JavaScript object literal would set the prototype instead.
    const payload = fc.constantFrom(
      '{"polluted":"yes"}',
      '{"prototype":{"polluted":"yes"}}',
      '{"__proto__":{"polluted":"yes"}}',
      '"yes"',
      "null",
    );
    const validRest: Record<PostEndpoint, string> = {
      registration: '"name":"Phone"',
      create: '"name":"Phone"',
      verify: '"user":"bob@contoso.com","password":"abcdefghijklmnop","clientIp":"198.51.100.1"',
    };
    await fc.assert(
      fc.asyncProperty(postEndpoint, key, payload, fc.boolean(), async (endpoint, name, value, first) => {
        const poisoned = `${json(name)}:${value}`;
        const text = first ? `{${poisoned},${validRest[endpoint]}}` : `{${validRest[endpoint]},${poisoned}}`;
        expect(expectedFor(endpoint, text)).toBe(endpoint === "verify" ? "valid" : "invalid");
        await checkBody(endpoint, text);
      }),
      { numRuns: 60 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("handles unicode edge cases (lone surrogates, RTL override, zero-width, NUL, very long) in every string field", async () => {
    const field = fc.oneof(edgeString, fc.constant(undefined));
    const body = fc.oneof(
      fc.record({ name: edgeString }).map(json),
      fc.record({ name: field }, { requiredKeys: [] }).map(json),
      fc
        .record(
          { user: edgeString, password: edgeString, protocol: field, clientIp: fc.constant("198.51.100.1") },
          { requiredKeys: ["user", "password", "clientIp"] },
        )
        .map(json),
    );
    await fc.assert(
      fc.asyncProperty(postEndpoint, body, (endpoint, text) => checkBody(endpoint, text)),
      {
        numRuns: RUNS,
        examples: [
          ["verify", json({ user: "\ud800@contoso.com", password: "abcdefghijklmnop", clientIp: "198.51.100.1" })],
          ["verify", json({ user: "é".repeat(256), password: "abcdefghijklmnop", clientIp: "198.51.100.1" })],
          ["create", json({ name: "\u202eevil.exe" })],
          ["create", json({ name: "\u0000" })],
          ["create", json({ name: "iPhone\ud800" })],
          ["create", json({ name: "\u200b" })],
          ["create", json({ name: "evil\u061cname" })],
          // Found by this property: Azurite's batch parser fails on U+2029 (and U+2028) in a value.
          ["create", json({ name: "\ufffd\u2029\ufffd" })],
        ],
      },
    );
  });

  describe("pinned cases from the properties above", () => {
    it.each([
      ["a right-to-left override", "\u202eexe.txt"],
      ["a left-to-right isolate", "Phone\u2066"],
      ["an Arabic letter mark (a bidirectional control like U+200F)", "evil\u061cname"],
      ["a NUL", "Pho\u0000ne"],
      ["a line separator", "Phone\u2028Tablet"],
      ["a paragraph separator", "\ufffd\u2029\ufffd"],
      ["a lone surrogate", "iPhone\ud800"],
      ["only a zero-width space", "\u200b"],
      ["only zero-width characters", "\u200b\u200c\u200d\u2060"],
      ["only a soft hyphen", "\u00ad"],
      ["only a Hangul filler", "\u3164"],
      ["only Hangul fillers of every width", "\u115f\u1160\u3164\uffa0"],
      ["only a braille blank", "\u2800"],
      ["a lone combining mark", "\u0301"],
      ["combining marks and spaces", " \u0301 \u20dd "],
      ["a zero-width space between letters", "Pho\u200bne"],
      ["a tag character", "Phone\u{e0041}"],
      ["an interlinear annotation", "\ufff9Phone\ufffb"],
      ["five combining marks on one letter", "q\u0301\u0302\u0303\u0304\u0305"],
    ])("refuses an app password name with %s (400 naming the field)", async (_label, name) => {
      const before = await tableSnapshot(service, watched());
      const response = await post("create", json({ name }));
      expectProblem(response, 400, "INVALID_REQUEST");
      const errors = response.json.errors as { field: string }[];
      expect(errors.map((error) => error.field)).toContain("name");
      expect(await tableSnapshot(service, watched())).toEqual(before);
    });

    it.each([
      ["a lone surrogate", "\ud800@contoso.com"],
      ["256 characters that need percent-encoding in a table key", "é".repeat(256)],
      ["128 emoji (256 UTF-16 units)", "😀".repeat(128)],
      ["256 percent signs", "%".repeat(256)],
    ])("answers verify for a login name with %s without a 5xx", async (_label, user) => {
      const before = await tableSnapshot(service, { throttle: "none" });
      const response = await post("verify", json({ user, password: "abcdefghijklmnop", clientIp: "198.51.100.1" }));
      expectClientSafeAnswer(response);
      expect([200, 400]).toContain(response.status);
      if (response.status === 200) expect(response.json).toEqual({ valid: false });
      expect(await tableSnapshot(service, { throttle: "none" })).toEqual(before);
    });
  });

  it("answers odd route parameters (encoded slashes, quotes, dot segments, %00, very long) with a 4xx, changing nothing", async () => {
    const printable = fc.constantFrom(
      ...Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== "/"),
    );
    const odd = fc.constantFrom(
      "..",
      ".",
      "%2e%2e",
      "%2E",
      "%2F",
      "%2f",
      "a%2Fb",
      "..%2F..%2Fthrottle",
      "%5C",
      "%00",
      "me%00",
      "%",
      "%zz",
      "%E2%80%AE",
      "%ED%A0%80",
      "%C0%AF",
      "'",
      "%27",
      '"',
      "%22",
      "me'",
      "ME",
      "Me",
      "%20me",
      "me%20",
      "me.",
      "*",
      "'%20or%20''='",
      "PartitionKey%20eq%20'x'",
      "throttle_x",
      "login_x",
      "user",
      "00000000-0000-0000-0000-000000000000",
      "{user}",
      "a?b",
      "a#b",
      "x;y",
    );
    const segment = fc.oneof(
      odd,
      fc.string({ unit: printable, minLength: 1, maxLength: 30 }),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).map(encodeURIComponent),
      fc.integer({ min: 200, max: 6000 }).map((n) => "a".repeat(n)),
      fc.integer({ min: 100, max: 2000 }).map((n) => "%41".repeat(n)),
      fc.uuid(),
      fc.stringMatching(/^[0-9a-f]{8}$/),
    );
    const user = fc.oneof(
      segment,
      fc.constantFrom("me", alice.oid, alice.oid.toUpperCase(), `${alice.oid}%00`, `${alice.oid}%2F..`),
    );
    const id = fc.oneof(segment, fc.constantFrom(...alice.ids, `${alice.ids[0] ?? ""}%00`));
    const routes = [
      { method: "GET", path: (u: string) => `/api/users/${u}/app-passwords` },
      { method: "POST", path: (u: string) => `/api/users/${u}/app-passwords`, body: json({ name: "Fuzz device" }) },
      { method: "POST", path: (u: string) => `/api/users/${u}/registration`, body: "{}" },
      { method: "DELETE", path: (u: string, i: string) => `/api/users/${u}/app-passwords/${i}` },
      { method: "DELETE", path: (u: string) => `/api/users/${u}/app-passwords` },
      { method: "DELETE", path: (u: string) => `/api/users/${u}/throttle` },
    ] as const;

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), user, id, async (route, u, i) => {
        const before = await tableSnapshot(service, watched());
        const path = route.path(u, i);
        const response = await rawRequest(service, route.method, path, {
          headers: { authorization: `Bearer ${mallory.token}`, "content-type": "application/json" },
          ...("body" in route && { body: route.body }),
        });
        expectClientSafeAnswer(response);
        if (response.status === 201) {
          // Only a route that resolves to Mallory herself creates, and only for her.
          const hers = await service.call("GET", "/api/users/me/app-passwords", { token: mallory.token });
          const items = hers.json.items as { id: string }[];
          expect(items.map((item) => item.id)).toEqual([response.json.id]);
          const removed = await service.call("DELETE", `/api/users/me/app-passwords/${response.json.id as string}`, {
            token: mallory.token,
          });
          expect(removed.status).toBe(204);
          return;
        }
        expect(await tableSnapshot(service, watched()), `${route.method} ${path} -> ${response.status}`).toEqual(
          before,
        );
      }),
      { numRuns: 200 },
    );
  });

  it("answers 413 to any body over 16 KiB, with or without Content-Length, even when it is otherwise valid", async () => {
    const valid: Record<PostEndpoint, string> = {
      registration: json({ name: "Phone" }),
      create: json({ name: "Phone" }),
      verify: json({ user: bob.upn, password: "abcdefghijklmnop", clientIp: "198.51.100.1" }),
    };
    await fc.assert(
      fc.asyncProperty(
        postEndpoint,
        fc.integer({ min: MAX_BODY_BYTES + 1, max: 4 * MAX_BODY_BYTES }),
        fc.boolean(),
        fc.constantFrom("padded JSON", "letters", "multibyte"),
        async (endpoint, size, chunked, kind) => {
          const text =
            kind === "padded JSON"
              ? valid[endpoint] + " ".repeat(size - valid[endpoint].length)
              : kind === "letters"
                ? "a".repeat(size)
                : "é".repeat(Math.ceil(size / 2));
          expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_BODY_BYTES);
          const before = await tableSnapshot(service, watched());
          const response = await post(endpoint, text, { chunked });
          expectProblem(response, 413, "PAYLOAD_TOO_LARGE");
          expect(await tableSnapshot(service, watched())).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("still accepts a valid body of exactly 16 KiB (the 413 above is about size, not about padding)", async () => {
    const text = json({ name: "Exactly sixteen KiB" });
    const response = await post("create", text + " ".repeat(MAX_BODY_BYTES - text.length), { chunked: true });
    expect(response.status).toBe(201);
    await service.call("DELETE", `/api/users/me/app-passwords/${response.json.id as string}`, { token: bob.token });
  });

  it("leaves Object.prototype untouched after all of the above", () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(Object.prototype).not.toHaveProperty("name");
    expect(Object.prototype).not.toHaveProperty("user");
  });
});

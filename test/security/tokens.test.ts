import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT, base64url, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type CallResult, type TestService } from "../support/testService";
import { expectProblemAnswer } from "./expectProblemAnswer";
import { tableSnapshot } from "./tableSnapshot";
import { startTrustedIssuer, type Person, type TrustedIssuer } from "./trustedIssuer";

const ADMIN = "AppPasswords.Admin";
/** argon2id at the cheapest accepted cost: these tests are about who may call, not about hash strength. */
const CHEAP_ARGON2 = { ARGON2_MEMORY_KIB: "8192", ARGON2_TIME_COST: "1", ARGON2_PARALLELISM: "1" };
const ATTACKER_IP = "203.0.113.5";

/** A person whose app passwords are the target: registered, two app passwords, some verify throttling rows. */
interface Target extends Person {
  readonly token: string;
  readonly ids: readonly string[];
}

/** What an endpoint does to the target when the call is allowed. */
type Effect = "none" | "one more" | "one fewer" | "none left" | "throttle cleared" | "login name released";

interface Allowed {
  readonly status: number;
  readonly code?: string;
  readonly effect: Effect;
}

interface Endpoint {
  readonly name: string;
  readonly method: string;
  readonly route: (target: Target) => string;
  readonly body?: unknown;
  /** What the person themselves gets, acting on their own id. */
  readonly owner: Allowed;
  /** What an administrator gets, acting on the person's id. */
  readonly admin: Allowed;
}

const users = (target: Target) => `/api/users/${target.oid}`;

const ENDPOINTS: readonly Endpoint[] = [
  {
    name: "registration",
    method: "POST",
    route: (t) => `${users(t)}/registration`,
    body: {},
    owner: { status: 200, effect: "none" },
    admin: { status: 403, code: "SELF_SERVICE_ONLY", effect: "none" },
  },
  {
    name: "create",
    method: "POST",
    route: (t) => `${users(t)}/app-passwords`,
    body: { name: "Planted device" },
    owner: { status: 201, effect: "one more" },
    admin: { status: 403, code: "SELF_SERVICE_ONLY", effect: "none" },
  },
  {
    name: "list",
    method: "GET",
    route: (t) => `${users(t)}/app-passwords`,
    owner: { status: 200, effect: "none" },
    admin: { status: 200, effect: "none" },
  },
  {
    name: "delete one",
    method: "DELETE",
    route: (t) => `${users(t)}/app-passwords/${t.ids[0] ?? ""}`,
    owner: { status: 204, effect: "one fewer" },
    admin: { status: 204, effect: "one fewer" },
  },
  {
    name: "delete all",
    method: "DELETE",
    route: (t) => `${users(t)}/app-passwords`,
    owner: { status: 204, effect: "none left" },
    admin: { status: 204, effect: "none left" },
  },
  {
    name: "reset throttle",
    method: "DELETE",
    route: (t) => `${users(t)}/throttle`,
    owner: { status: 403, code: "FORBIDDEN", effect: "none" },
    admin: { status: 204, effect: "throttle cleared" },
  },
  {
    name: "release login name",
    method: "DELETE",
    route: (t) => `/api/login-names/${encodeURIComponent(t.upn)}`,
    owner: { status: 403, code: "FORBIDDEN", effect: "none" },
    admin: { status: 204, effect: "login name released" },
  },
];

/** A credential a caller presents: the whole Authorization header, or none. */
interface Credential {
  readonly name: string;
  readonly authorization: (target: Target) => Promise<string | undefined>;
}

describe("tokens: every endpoint refuses every token it must not trust, and acts only for whom it may", () => {
  let issuer: TrustedIssuer;
  let service: TestService;
  let attackerKey: CryptoKey;
  let attackerJwk: JWK;
  let mallory: Person;
  let admin: Person;

  beforeAll(async () => {
    issuer = await startTrustedIssuer("https://login.example.test/contoso/v2.0", "api://app-passwords-security");
    service = await startTestService({ env: { ...issuer.env, ...CHEAP_ARGON2 } });
    const attacker = await generateKeyPair("RS256", { extractable: true });
    attackerKey = attacker.privateKey;
    attackerJwk = await exportJWK(attacker.publicKey);
    mallory = { oid: randomUUID(), upn: `mallory-${randomUUID().slice(0, 8)}@contoso.com` };
    admin = { oid: randomUUID(), upn: `admin-${randomUUID().slice(0, 8)}@contoso.com` };
  });
  afterAll(async () => {
    await service.close();
    await issuer.close();
  });

  /** A fresh target for each case, so an allowed call in one case cannot hide a forbidden one in the next. */
  async function newTarget(): Promise<Target> {
    const person = { oid: randomUUID(), upn: `target-${randomUUID().slice(0, 8)}@contoso.com` };
    const token = await issuer.token(person);
    const registered = await service.call("POST", "/api/users/me/registration", { token });
    expect(registered.status).toBe(201);
    const second = await service.call("POST", "/api/users/me/app-passwords", { token, body: { name: "Laptop" } });
    expect(second.status).toBe(201);
    // A failed sign-in gives the target throttling rows, which only an admin may clear.
    expect((await service.verify(person.upn, "not-the-password", { clientIp: ATTACKER_IP })).json).toEqual({
      valid: false,
    });
    return { ...person, token, ids: [registered.json.appPassword.id as string, second.json.id as string] };
  }

  async function countOf(target: Target): Promise<number> {
    const list = await service.call("GET", "/api/users/me/app-passwords", { token: target.token });
    expect(list.status).toBe(200);
    return list.json.count as number;
  }

  /** The claims a forged token makes: to be the target, and an admin too, so any hole would let it act. */
  const forgedClaims = (target: Target) => issuer.claimsFor(target, [ADMIN]);
  const bearer = (token: string) => `Bearer ${token}`;
  const now = () => Math.floor(Date.now() / 1000);

  const UNTRUSTED: readonly Credential[] = [
    { name: "no Authorization header", authorization: () => Promise.resolve(undefined) },
    { name: "an empty bearer", authorization: () => Promise.resolve("Bearer ") },
    { name: "Basic credentials", authorization: (t) => Promise.resolve(`Basic ${base64url.encode(`${t.upn}:pw`)}`) },
    { name: "garbage", authorization: () => Promise.resolve(bearer("garbage.garbage.garbage")) },
    {
      name: "a valid token sent without the Bearer scheme",
      authorization: async (t) => issuer.token(t, [ADMIN]),
    },
    {
      name: "alg none",
      authorization: (t) => {
        const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
        const payload = base64url.encode(JSON.stringify(forgedClaims(t)));
        return Promise.resolve(bearer(`${header}.${payload}.`));
      },
    },
    {
      name: "HS256 signed with a secret of the attacker's",
      authorization: async (t) =>
        bearer(
          await new SignJWT(forgedClaims(t))
            .setProtectedHeader({ alg: "HS256", kid: issuer.kid, typ: "JWT" })
            .sign(randomBytes(32)),
        ),
    },
    {
      name: "HS256 signed with the trusted public key as the HMAC secret",
      authorization: async (t) =>
        bearer(
          await new SignJWT(forgedClaims(t))
            .setProtectedHeader({ alg: "HS256", kid: issuer.kid, typ: "JWT" })
            .sign(new TextEncoder().encode(issuer.publicKeyPem)),
        ),
    },
    {
      name: "a valid signature over edited claims",
      authorization: async (t) => {
        const [header, , signature] = (await issuer.token(mallory)).split(".");
        const edited = base64url.encode(JSON.stringify(forgedClaims(t)));
        return bearer(`${header ?? ""}.${edited}.${signature ?? ""}`);
      },
    },
    {
      name: "a valid token with its signature removed",
      authorization: async (t) => {
        const [header, payload] = (await issuer.mint(forgedClaims(t))).split(".");
        return bearer(`${header ?? ""}.${payload ?? ""}.`);
      },
    },
    {
      name: "signed by another RS256 key under the trusted key's kid",
      authorization: async (t) => bearer(await issuer.mint(forgedClaims(t), { key: attackerKey })),
    },
    {
      name: "signed by another RS256 key that the token carries in its jwk header",
      authorization: async (t) =>
        bearer(await issuer.mint(forgedClaims(t), { key: attackerKey, header: { kid: undefined, jwk: attackerJwk } })),
    },
    {
      name: "from the development issuer (right iss and aud, a key the service does not trust)",
      authorization: async (t) => bearer(await service.token({ upn: t.upn, oid: t.oid, roles: [ADMIN] })),
    },
    {
      name: "expired (an hour ago, past the clock tolerance)",
      authorization: async (t) =>
        bearer(await issuer.mint({ ...forgedClaims(t), iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 })),
    },
    {
      name: "not yet valid (nbf in an hour)",
      authorization: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), nbf: now() + 3600 })),
    },
    {
      name: "from another issuer",
      authorization: async (t) =>
        bearer(await issuer.mint({ ...forgedClaims(t), iss: "https://login.example.test/fabrikam/v2.0" })),
    },
    {
      name: "for another audience",
      authorization: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), aud: "api://some-other-api" })),
    },
    {
      name: "without exp",
      authorization: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), exp: undefined })),
    },
    {
      name: "without oid",
      authorization: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), oid: undefined })),
    },
    {
      name: "without a login name",
      authorization: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), preferred_username: undefined })),
    },
    {
      name: "issued to an application, not a signed-in user",
      authorization: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), idtyp: "app" })),
    },
  ];

  /** Valid tokens of people who are not the target and not admins: they may not act on the target. */
  const OTHERS: readonly Credential[] = [
    { name: "another user's valid token", authorization: async () => bearer(await issuer.token(mallory)) },
    {
      name: "another user's valid token with roles that only resemble the admin role",
      authorization: async () =>
        bearer(await issuer.token(mallory, ["appPasswords.admin", "AppPasswords.Admin ", "Admin", "AppPasswords"])),
    },
  ];

  const call = async (endpoint: Endpoint, target: Target, authorization: string | undefined): Promise<CallResult> =>
    service.call(endpoint.method, endpoint.route(target), {
      ...(authorization !== undefined && { headers: { authorization } }),
      ...(endpoint.body !== undefined && { body: endpoint.body }),
    });

  /** Calls, and asserts that nothing at all was written: not the target's app passwords, not any row. */
  async function expectRefusedWithoutEffect(
    endpoint: Endpoint,
    credential: Credential,
    status: number,
    code: string,
  ): Promise<CallResult> {
    const target = await newTarget();
    const countBefore = await countOf(target);
    const before = await tableSnapshot(service);
    const response = await call(endpoint, target, await credential.authorization(target));
    expectProblemAnswer(response, status, code);
    expect(await tableSnapshot(service)).toEqual(before);
    expect(await countOf(target)).toBe(countBefore);
    return response;
  }

  async function expectAllowed(endpoint: Endpoint, token: string, allowed: Allowed, target: Target) {
    const countBefore = await countOf(target);
    const before = await tableSnapshot(service);
    const response = await call(endpoint, target, bearer(token));
    if (allowed.code !== undefined) expectProblemAnswer(response, allowed.status, allowed.code);
    else expect(response.status, response.text).toBe(allowed.status);

    const after = await tableSnapshot(service);
    const throttleRows = (rows: typeof before) =>
      rows.filter((row) => row.partitionKey === target.oid && row.rowKey === "throttle");
    switch (allowed.effect) {
      case "none":
        expect(after).toEqual(before);
        break;
      case "one more":
        expect(await countOf(target)).toBe(countBefore + 1);
        break;
      case "one fewer": {
        expect(await countOf(target)).toBe(countBefore - 1);
        const list = await service.call("GET", "/api/users/me/app-passwords", { token: target.token });
        const items = list.json.items as { id: string }[];
        expect(items.map((item) => item.id)).not.toContain(target.ids[0]);
        break;
      }
      case "none left":
        expect(await countOf(target)).toBe(0);
        break;
      case "login name released": {
        const loginRows = (rows: typeof before) =>
          rows.filter((row) => row.rowKey === "login" && row.UserId === target.oid);
        expect(loginRows(before)).toHaveLength(1);
        expect(loginRows(after)).toEqual([]);
        expect(await countOf(target)).toBe(countBefore);
        break;
      }
      case "throttle cleared":
        expect(throttleRows(before).length).toBeGreaterThan(0);
        expect(throttleRows(after)).toEqual([]);
        expect(await countOf(target)).toBe(countBefore);
        break;
    }
    if (endpoint.name === "list" && response.status === 200) {
      expect(response.json.count).toBe(countBefore);
      expect(response.text).not.toContain("$argon2");
      for (const item of response.json.items as object[]) {
        expect(["id", "name", "createdAt", "lastUsedAt"]).toEqual(expect.arrayContaining(Object.keys(item)));
      }
    }
  }

  for (const endpoint of ENDPOINTS) {
    describe(`${endpoint.method} ${endpoint.name}`, () => {
      for (const credential of UNTRUSTED) {
        it(`answers 401 UNAUTHENTICATED and changes nothing for ${credential.name}`, async () => {
          const response = await expectRefusedWithoutEffect(endpoint, credential, 401, "UNAUTHENTICATED");
          expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
        });
      }

      for (const credential of OTHERS) {
        it(`answers 403 FORBIDDEN and changes nothing for ${credential.name} acting on the target's id`, async () => {
          await expectRefusedWithoutEffect(endpoint, credential, 403, "FORBIDDEN");
        });
      }

      for (const scp of [undefined, "", "User.Read", "AppPasswords.Read", "appPasswords.manage"]) {
        it(`answers 403 INSUFFICIENT_SCOPE and changes nothing for the owner's own token with scp ${JSON.stringify(scp)}`, async () => {
          const credential: Credential = {
            name: "the target's token without the scope",
            authorization: async (t) => bearer(await issuer.mint({ ...issuer.claimsFor(t, [ADMIN]), scp })),
          };
          const response = await expectRefusedWithoutEffect(endpoint, credential, 403, "INSUFFICIENT_SCOPE");
          expect(response.headers.get("www-authenticate")).toMatch(/insufficient_scope.*AppPasswords\.Manage/);
        });
      }

      it(`answers ${endpoint.admin.status} to an admin acting on the target's id`, async () => {
        const target = await newTarget();
        await expectAllowed(endpoint, await issuer.token(admin, [ADMIN]), endpoint.admin, target);
      });

      it(`answers ${endpoint.owner.status} to the owner acting on their own id`, async () => {
        const target = await newTarget();
        await expectAllowed(endpoint, target.token, endpoint.owner, target);
      });
    });
  }

  describe("POST verify", () => {
    const KEYLESS: readonly { name: string; headers: (key: string) => Record<string, string>; query?: string }[] = [
      { name: "no function key", headers: () => ({}) },
      { name: "a wrong function key", headers: () => ({ "x-functions-key": "not-the-key" }) },
      { name: "the key with one character changed", headers: (key) => ({ "x-functions-key": `${key.slice(0, -1)}X` }) },
      { name: "an empty function key", headers: () => ({ "x-functions-key": "" }) },
      { name: "a wrong key in ?code=", headers: () => ({}), query: "?code=not-the-key" },
      { name: "the key in the Authorization header instead", headers: (key) => ({ authorization: `Bearer ${key}` }) },
    ];

    for (const keyless of KEYLESS) {
      it(`answers 401 INVALID_FUNCTION_KEY and records nothing for ${keyless.name}, even with the right password`, async () => {
        const target = await newTarget();
        // The right password of the target, so that a hole in the key check would show as a success.
        const fresh = await service.call("POST", "/api/users/me/app-passwords", {
          token: target.token,
          body: { name: "Phone" },
        });
        expect(fresh.status).toBe(201);
        const before = await tableSnapshot(service);
        const response = await service.call("POST", `/api/verify${keyless.query ?? ""}`, {
          body: { user: target.upn, password: fresh.json.password, clientIp: "198.51.100.9" },
          headers: keyless.headers(service.functionKey),
        });
        expectProblemAnswer(response, 401, "INVALID_FUNCTION_KEY");
        expect(await tableSnapshot(service)).toEqual(before);
        const listed = await service.call("GET", "/api/users/me/app-passwords", { token: target.token });
        const items = listed.json.items as { lastUsedAt?: string }[];
        expect(items.every((item) => item.lastUsedAt === undefined)).toBe(true);
      });
    }

    it("answers 200 valid:true with the right function key (the control for the cases above)", async () => {
      const target = await newTarget();
      const fresh = await service.call("POST", "/api/users/me/app-passwords", {
        token: target.token,
        body: { name: "Phone" },
      });
      const response = await service.verify(target.upn, fresh.json.password as string, { clientIp: "198.51.100.9" });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ valid: true, userId: target.oid });
    });
  });
});

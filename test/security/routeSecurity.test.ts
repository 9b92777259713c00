import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import fc from "fast-check";
import { SignJWT, base64url, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFunctions } from "../../dev/functionRegistry";
import { ADMIN_ROLES, CHEAP_ARGON2_SETTINGS } from "../support/constants";
import { expectProblem } from "../support/expectProblem";
import type { CallResult } from "../support/serviceClient";
import { tableSnapshot } from "../support/tableSnapshot";
import { startTestService, type TestService } from "../support/testService";
import { startTrustedIssuer, type Person, type TrustedIssuer } from "../support/trustedIssuer";

/** What a route does to the target when the call is allowed. */
type Effect =
  | "none"
  | "one more"
  | "one fewer"
  | "none left"
  | "renamed"
  | "throttle cleared"
  | "login name released"
  | "signed in"
  | "handed off"
  | "hand-off gone"
  | "policy saved";

/** An answer a caller may get: its status, the problem code of a refusal, and the effect (none when left out). */
interface Outcome {
  readonly status: number;
  readonly code?: string;
  readonly effect?: Effect;
}

interface RouteBase {
  /** The function that serves it: every function of functions/ appears at least once. */
  readonly fn: string;
  readonly method: string;
  /**
   * `{user}` becomes the target's object id, `{id}` the id of one of the target's app passwords, `{handoffId}`
   * the id of the target's unread hand-off.
   */
  readonly path: string;
  readonly body?: unknown;
  /** Request headers every caller sends, such as `If-Match`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Every route and who may call it: a bearer token (what the owner and an admin get, acting on the target's
 * id), the function key, or nobody in particular. A new route is one entry here; each is then run against
 * every credential below.
 */
type Route =
  | (RouteBase & { readonly auth: "bearer"; readonly owner: Outcome; readonly admin: Outcome })
  /** Anyone signed in, whoever they are: the route names nobody's data. */
  | (RouteBase & { readonly auth: "signedIn"; readonly allowed: Outcome })
  | (RouteBase & { readonly auth: "functionKey" | "anonymous"; readonly allowed: Outcome });

/** A person whose app passwords are the target: registered, two app passwords, verify throttling rows. */
interface Target extends Person {
  readonly token: string;
  readonly password: string;
  readonly ids: readonly string[];
  readonly handoffId: string;
}

const ATTACKER_IP = "203.0.113.5";
const OK = (status: number, effect: Effect = "none"): Outcome => ({ status, effect });
const SELF_SERVICE_ONLY: Outcome = { status: 403, code: "SELF_SERVICE_ONLY" };
const FORBIDDEN: Outcome = { status: 403, code: "FORBIDDEN" };
/** A hand-off's body: its shape only matters here (an AES-GCM ciphertext and 12-byte nonce, base64url). */
const HANDOFF = { ciphertext: "A".repeat(64), iv: "AAAAAAAAAAAAAAAA" };
/** The verify body that signs the target in: a hole in the key check would show as a success. */
const SIGN_IN = { user: "{upn}", password: "{password}", clientIp: "198.51.100.9" };
/** A policy that changes nothing the other routes here do: a clean-up after ten years unused. */
const POLICY = { allowed: true, maxPerUser: 40, maxLifetimeDays: null, deleteUnusedAfterDays: 3650 };

// One route a line, so the table reads as one (and a new route is one line): Prettier would unfold it.
// prettier-ignore
const ROUTES: readonly Route[] = [
  { fn: "registration", auth: "bearer", method: "POST", path: "/api/users/{user}/registration", body: {}, owner: OK(200), admin: SELF_SERVICE_ONLY },
  { fn: "createAppPassword", auth: "bearer", method: "POST", path: "/api/users/{user}/app-passwords", body: { name: "Planted device" }, owner: OK(201, "one more"), admin: SELF_SERVICE_ONLY },
  { fn: "listAppPasswords", auth: "bearer", method: "GET", path: "/api/users/{user}/app-passwords", owner: OK(200), admin: OK(200) },
  { fn: "deleteAppPassword", auth: "bearer", method: "DELETE", path: "/api/users/{user}/app-passwords/{id}", owner: OK(204, "one fewer"), admin: OK(204, "one fewer") },
  { fn: "deleteAppPassword", auth: "bearer", method: "DELETE", path: "/api/users/{user}/app-passwords", owner: OK(204, "none left"), admin: OK(204, "none left") },
  { fn: "getAppPassword", auth: "bearer", method: "GET", path: "/api/users/{user}/app-passwords/{id}", owner: OK(200), admin: OK(200) },
  { fn: "renameAppPassword", auth: "bearer", method: "PATCH", path: "/api/users/{user}/app-passwords/{id}", body: { name: "Renamed device" }, owner: OK(200, "renamed"), admin: OK(200, "renamed") },
  { fn: "listActivity", auth: "bearer", method: "GET", path: "/api/users/{user}/activity", owner: OK(200), admin: OK(200) },
  { fn: "listInventory", auth: "bearer", method: "GET", path: "/api/app-passwords", owner: FORBIDDEN, admin: OK(200) },
  { fn: "releaseLoginName", auth: "bearer", method: "DELETE", path: "/api/login-names/{upn}", owner: FORBIDDEN, admin: OK(204, "login name released") },
  // The target has no released name: an administrator passes every check and finds nothing to lift.
  { fn: "liftLoginNameRelease", auth: "bearer", method: "DELETE", path: "/api/users/{user}/released-login-names/{upn}", owner: FORBIDDEN, admin: { status: 404, code: "LOGIN_NAME_NOT_FOUND" } },
  { fn: "resetVerifyThrottle", auth: "bearer", method: "DELETE", path: "/api/users/{user}/throttle", owner: FORBIDDEN, admin: OK(204, "throttle cleared") },
  { fn: "createHandoff", auth: "bearer", method: "POST", path: "/api/users/{user}/handoffs", body: HANDOFF, owner: OK(201, "handed off"), admin: SELF_SERVICE_ONLY },
  { fn: "deleteHandoff", auth: "bearer", method: "DELETE", path: "/api/users/{user}/handoffs/{handoffId}", owner: OK(204, "hand-off gone"), admin: SELF_SERVICE_ONLY },
  { fn: "readHandoff", auth: "anonymous", method: "GET", path: "/api/handoffs/{handoffId}", allowed: OK(200, "hand-off gone") },
  { fn: "getPolicy", auth: "signedIn", method: "GET", path: "/api/policy", allowed: OK(200) },
  { fn: "putPolicy", auth: "bearer", method: "PUT", path: "/api/policy", headers: { "if-match": "*" }, body: POLICY, owner: FORBIDDEN, admin: OK(200, "policy saved") },
  { fn: "listPolicyChanges", auth: "bearer", method: "GET", path: "/api/policy/changes", owner: FORBIDDEN, admin: OK(200) },
  { fn: "verifyAppPassword", auth: "functionKey", method: "POST", path: "/api/verify", body: SIGN_IN, allowed: OK(200, "signed in") },
  { fn: "openApi", auth: "anonymous", method: "GET", path: "/api/openapi.json", allowed: OK(200) },
  { fn: "cleanUpAppPasswords", auth: "functionKey", method: "POST", path: "/admin/functions/cleanUpAppPasswords", body: { input: "" }, allowed: OK(202) },
  { fn: "forgetQuietThrottles", auth: "functionKey", method: "POST", path: "/admin/functions/forgetQuietThrottles", body: { input: "" }, allowed: OK(202) },
  { fn: "cleanUpHandoffs", auth: "functionKey", method: "POST", path: "/admin/functions/cleanUpHandoffs", body: { input: "" }, allowed: OK(202) },
  { fn: "noticeExpiring", auth: "functionKey", method: "POST", path: "/admin/functions/noticeExpiring", body: { input: "" }, allowed: OK(202) },
];

/** What a caller presents: request headers, and a query string. */
interface Presented {
  readonly headers: Record<string, string>;
  readonly query?: string;
}

/** A credential, built for a given target. */
interface Credential {
  readonly name: string;
  readonly present: (target: Target) => Promise<Presented>;
}

const authorization = (value: string): Presented => ({ headers: { authorization: value } });
const bearer = (token: string) => authorization(`Bearer ${token}`);
const now = () => Math.floor(Date.now() / 1000);

describe("route security: every route refuses every caller it must, and acts only for whom it may", () => {
  let issuer: TrustedIssuer;
  let service: TestService;
  let attackerKey: CryptoKey;
  let attackerJwk: JWK;
  let mallory: Person;
  let admin: Person;

  beforeAll(async () => {
    issuer = await startTrustedIssuer("https://login.example.test/contoso/v2.0", "api://app-passwords-security");
    service = await startTestService({ env: { ...issuer.env, ...CHEAP_ARGON2_SETTINGS } });
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

  it("lists every function of functions/", async () => {
    const { http, timers } = await loadFunctions(path.join(__dirname, "..", "..", "functions"));
    const listed = new Set(ROUTES.map((route) => route.fn));
    expect([...listed].sort()).toEqual([...http, ...timers].map((fn) => fn.name).sort());
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
    const handoff = await service.call("POST", "/api/users/me/handoffs", { token, body: HANDOFF });
    expect(handoff.status).toBe(201);
    const password = registered.json.appPassword.password as string;
    return {
      ...person,
      token,
      password,
      ids: [registered.json.appPassword.id as string, second.json.id as string],
      handoffId: handoff.json.id as string,
    };
  }

  async function countOf(target: Target): Promise<number> {
    const list = await service.call("GET", "/api/users/me/app-passwords", { token: target.token });
    expect(list.status).toBe(200);
    return list.json.count as number;
  }

  /** The route's path and body, filled in for the target. */
  function fill(route: Route, target: Target) {
    const values: Record<string, string> = {
      user: target.oid,
      id: target.ids[0] ?? "",
      upn: target.upn,
      password: target.password,
      handoffId: target.handoffId,
    };
    const replace = (text: string) => text.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
    return {
      path: replace(route.path),
      ...(route.body !== undefined && { body: JSON.parse(replace(JSON.stringify(route.body))) as unknown }),
    };
  }

  const call = (route: Route, target: Target, presented: Presented): Promise<CallResult> => {
    const { path: filled, body } = fill(route, target);
    return service.call(route.method, `${filled}${presented.query ?? ""}`, {
      headers: { ...route.headers, ...presented.headers },
      ...(body !== undefined && { body }),
    });
  };

  /** Calls, and asserts the refusal, and that nothing at all was written: not the target's, not any row. */
  async function expectRefusedWithoutEffect(route: Route, credential: Credential, status: number, code: string) {
    const target = await newTarget();
    const countBefore = await countOf(target);
    const before = await tableSnapshot(service);
    const response = await call(route, target, await credential.present(target));
    expectProblem(response, status, code);
    expect(response.text).not.toContain("Laptop");
    expect(response.text).not.toMatch(/"password"/);
    expect(await tableSnapshot(service)).toEqual(before);
    expect(await countOf(target)).toBe(countBefore);
    return response;
  }

  async function expectAllowed(route: Route, presented: Presented, allowed: Outcome, target: Target) {
    const countBefore = await countOf(target);
    const before = await tableSnapshot(service);
    const response = await call(route, target, presented);
    if (allowed.code !== undefined) expectProblem(response, allowed.status, allowed.code);
    else expect(response.status, response.text).toBe(allowed.status);

    const after = await tableSnapshot(service);
    const handoffRows = (rows: typeof before) => rows.filter((row) => row.partitionKey.startsWith("handoff_"));
    const throttleRows = (rows: typeof before) =>
      rows.filter((row) => row.partitionKey === target.oid && row.rowKey === "throttle");
    switch (allowed.effect ?? "none") {
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
      case "renamed": {
        const list = await service.call("GET", "/api/users/me/app-passwords", { token: target.token });
        const items = list.json.items as { id: string; name: string }[];
        expect(items.find((item) => item.id === target.ids[0])?.name).toBe("Renamed device");
        expect(await countOf(target)).toBe(countBefore);
        break;
      }
      case "login name released":
        expect(before.filter((row) => row.partitionKey.startsWith("login_")).length).toBe(
          after.filter((row) => row.partitionKey.startsWith("login_")).length + 1,
        );
        expect(await countOf(target)).toBe(countBefore);
        break;
      case "throttle cleared":
        expect(throttleRows(before).length).toBeGreaterThan(0);
        expect(throttleRows(after)).toEqual([]);
        expect(await countOf(target)).toBe(countBefore);
        break;
      case "signed in":
        expect(response.json).toMatchObject({ valid: true, userId: target.oid });
        break;
      case "handed off":
        expect(handoffRows(after).length).toBe(handoffRows(before).length + 1);
        expect(await countOf(target)).toBe(countBefore);
        break;
      case "policy saved": {
        const changes = (rows: typeof before) =>
          rows.filter((row) => row.partitionKey === "tenant" && row.rowKey.startsWith("ev_"));
        expect(changes(after).length).toBe(changes(before).length + 1);
        expect(await countOf(target)).toBe(countBefore);
        break;
      }
      case "hand-off gone": {
        expect(handoffRows(after).length).toBe(handoffRows(before).length - 1);
        const again = await service.call("GET", `/api/handoffs/${target.handoffId}`);
        expectProblem(again, 404, "HANDOFF_NOT_FOUND");
        expect(await countOf(target)).toBe(countBefore);
        break;
      }
    }
    if (route.method === "GET" && response.status === 200) {
      expect(response.text).not.toContain("$argon2");
      expect(response.text).not.toContain(target.password);
    }
  }

  /** The claims a forged token makes: to be the target, and an admin too, so any hole would let it act. */
  const forgedClaims = (target: Target) => issuer.claimsFor(target, ADMIN_ROLES);

  /** Bearer credentials that must not authenticate anyone: 401 UNAUTHENTICATED. */
  const UNTRUSTED: readonly Credential[] = [
    { name: "no Authorization header", present: () => Promise.resolve({ headers: {} }) },
    { name: "an empty bearer", present: () => Promise.resolve(authorization("Bearer ")) },
    { name: "a bearer with spaces", present: () => Promise.resolve(authorization("Bearer not a token")) },
    {
      name: "Basic credentials",
      present: (t) => Promise.resolve(authorization(`Basic ${base64url.encode(`${t.upn}:pw`)}`)),
    },
    { name: "garbage", present: () => Promise.resolve(bearer("garbage.garbage.garbage")) },
    { name: "empty segments", present: () => Promise.resolve(bearer("...")) },
    {
      name: "a valid token sent without the Bearer scheme",
      present: async (t) => authorization(await issuer.token(t, ADMIN_ROLES)),
    },
    {
      name: "alg none",
      present: (t) => {
        const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
        const payload = base64url.encode(JSON.stringify(forgedClaims(t)));
        return Promise.resolve(bearer(`${header}.${payload}.`));
      },
    },
    {
      name: "HS256 signed with a secret of the attacker's",
      present: async (t) =>
        bearer(
          await new SignJWT(forgedClaims(t))
            .setProtectedHeader({ alg: "HS256", kid: issuer.kid, typ: "JWT" })
            .sign(randomBytes(32)),
        ),
    },
    {
      name: "HS256 signed with the trusted public key as the HMAC secret",
      present: async (t) =>
        bearer(
          await new SignJWT(forgedClaims(t))
            .setProtectedHeader({ alg: "HS256", kid: issuer.kid, typ: "JWT" })
            .sign(new TextEncoder().encode(issuer.publicKeyPem)),
        ),
    },
    {
      name: "a valid signature over edited claims",
      present: async (t) => {
        const [header, , signature] = (await issuer.token(mallory)).split(".");
        const edited = base64url.encode(JSON.stringify(forgedClaims(t)));
        return bearer(`${header ?? ""}.${edited}.${signature ?? ""}`);
      },
    },
    {
      name: "a valid token with its signature reversed",
      present: async (t) => {
        const [header, payload, signature] = (await issuer.token(t, ADMIN_ROLES)).split(".");
        return bearer(`${header ?? ""}.${payload ?? ""}.${(signature ?? "").split("").reverse().join("")}`);
      },
    },
    {
      name: "a valid token with its signature removed",
      present: async (t) => {
        const [header, payload] = (await issuer.mint(forgedClaims(t))).split(".");
        return bearer(`${header ?? ""}.${payload ?? ""}.`);
      },
    },
    {
      name: "signed by another RS256 key under the trusted key's kid",
      present: async (t) => bearer(await issuer.mint(forgedClaims(t), { key: attackerKey })),
    },
    {
      name: "signed by another RS256 key that the token carries in its jwk header",
      present: async (t) =>
        bearer(await issuer.mint(forgedClaims(t), { key: attackerKey, header: { kid: undefined, jwk: attackerJwk } })),
    },
    {
      name: "from the development issuer (right iss and aud, a key the service does not trust)",
      present: async (t) => bearer(await service.token({ upn: t.upn, oid: t.oid, roles: ADMIN_ROLES })),
    },
    {
      name: "expired (an hour ago, past the clock tolerance)",
      present: async (t) =>
        bearer(await issuer.mint({ ...forgedClaims(t), iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 })),
    },
    {
      name: "not yet valid (nbf in an hour)",
      present: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), nbf: now() + 3600 })),
    },
    {
      name: "from another issuer",
      present: async (t) =>
        bearer(await issuer.mint({ ...forgedClaims(t), iss: "https://login.example.test/fabrikam/v2.0" })),
    },
    {
      name: "for another audience",
      present: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), aud: "api://some-other-api" })),
    },
    { name: "without exp", present: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), exp: undefined })) },
    { name: "without oid", present: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), oid: undefined })) },
    {
      name: "without a login name",
      present: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), preferred_username: undefined })),
    },
    {
      name: "issued to an application, not a signed-in user",
      present: async (t) => bearer(await issuer.mint({ ...forgedClaims(t), idtyp: "app" })),
    },
  ];

  /** Valid tokens of people who are not the target and not admins: they may not act on the target. */
  const OTHERS: readonly Credential[] = [
    { name: "another user's valid token", present: async () => bearer(await issuer.token(mallory)) },
    {
      name: "another user's valid token with roles that only resemble the admin role",
      present: async () =>
        bearer(await issuer.token(mallory, ["appPasswords.admin", "AppPasswords.Admin ", "Admin", "AppPasswords"])),
    },
  ];

  /** Anything but the function key: 401 (INVALID_FUNCTION_KEY from the local host; a bare 401 from Azure's). */
  const KEYLESS: readonly Credential[] = [
    { name: "no function key", present: () => Promise.resolve({ headers: {} }) },
    { name: "a wrong function key", present: () => Promise.resolve({ headers: { "x-functions-key": "not-the-key" } }) },
    {
      name: "the key with one character changed",
      present: () => Promise.resolve({ headers: { "x-functions-key": `${service.functionKey.slice(0, -1)}X` } }),
    },
    { name: "an empty function key", present: () => Promise.resolve({ headers: { "x-functions-key": "" } }) },
    { name: "a wrong key in ?code=", present: () => Promise.resolve({ headers: {}, query: "?code=not-the-key" }) },
    {
      name: "the key in the Authorization header instead",
      present: () => Promise.resolve(authorization(`Bearer ${service.functionKey}`)),
    },
    { name: "the target's own access token instead", present: (t) => Promise.resolve(bearer(t.token)) },
  ];

  for (const route of ROUTES) {
    describe(`${route.method} ${route.path} (${route.fn})`, () => {
      if (route.auth === "bearer") {
        for (const credential of UNTRUSTED) {
          it(`answers 401 UNAUTHENTICATED and changes nothing for ${credential.name}`, async () => {
            const response = await expectRefusedWithoutEffect(route, credential, 401, "UNAUTHENTICATED");
            expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
          });
        }
        for (const credential of OTHERS) {
          it(`answers 403 FORBIDDEN and changes nothing for ${credential.name} acting on the target's id`, async () => {
            await expectRefusedWithoutEffect(route, credential, 403, "FORBIDDEN");
          });
        }
        for (const scp of [undefined, "", "User.Read", "AppPasswords.Read", "appPasswords.manage"]) {
          it(`answers 403 INSUFFICIENT_SCOPE and changes nothing for the owner's own token with scp ${JSON.stringify(scp)}`, async () => {
            const credential: Credential = {
              name: "the target's token without the scope",
              present: async (t) => bearer(await issuer.mint({ ...issuer.claimsFor(t, ADMIN_ROLES), scp })),
            };
            const response = await expectRefusedWithoutEffect(route, credential, 403, "INSUFFICIENT_SCOPE");
            expect(response.headers.get("www-authenticate")).toMatch(/insufficient_scope.*AppPasswords\.Manage/);
          });
        }
        it(`answers ${route.admin.status} to an admin acting on the target's id`, async () => {
          const target = await newTarget();
          await expectAllowed(route, bearer(await issuer.token(admin, ADMIN_ROLES)), route.admin, target);
        });
        it(`answers ${route.owner.status} to the owner (not an admin) acting on their own id`, async () => {
          const target = await newTarget();
          await expectAllowed(route, bearer(target.token), route.owner, target);
        });
      }
      if (route.auth === "signedIn") {
        for (const credential of UNTRUSTED) {
          it(`answers 401 UNAUTHENTICATED and changes nothing for ${credential.name}`, async () => {
            const response = await expectRefusedWithoutEffect(route, credential, 401, "UNAUTHENTICATED");
            expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
          });
        }
        it("answers 403 INSUFFICIENT_SCOPE and changes nothing for a token without the scope", async () => {
          const credential: Credential = {
            name: "the target's token without the scope",
            present: async (t) => bearer(await issuer.mint({ ...issuer.claimsFor(t, ADMIN_ROLES), scp: "User.Read" })),
          };
          await expectRefusedWithoutEffect(route, credential, 403, "INSUFFICIENT_SCOPE");
        });
        for (const credential of [
          ...OTHERS,
          { name: "an admin's token", present: async () => bearer(await issuer.token(admin, ADMIN_ROLES)) },
        ]) {
          it(`answers ${route.allowed.status} to anyone signed in: ${credential.name}`, async () => {
            const target = await newTarget();
            await expectAllowed(route, await credential.present(target), route.allowed, target);
          });
        }
      }
      if (route.auth === "functionKey") {
        for (const credential of KEYLESS) {
          it(`answers 401 and records nothing for ${credential.name}`, async () => {
            await expectRefusedWithoutEffect(route, credential, 401, "INVALID_FUNCTION_KEY");
          });
        }
        it(`answers ${route.allowed.status} with the function key (the control for the cases above)`, async () => {
          const target = await newTarget();
          await expectAllowed(route, { headers: { "x-functions-key": service.functionKey } }, route.allowed, target);
        });
      }
      if (route.auth === "anonymous") {
        it(`answers ${route.allowed.status} to anyone, with no credential`, async () => {
          const target = await newTarget();
          await expectAllowed(route, { headers: {} }, route.allowed, target);
        });
      }
    });
  }

  it("answers any Authorization header that is not a valid token with 401, on every bearer route, changing nothing", async () => {
    const target = await newTarget();
    const b64 = (value: unknown) =>
      Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
    const headerish = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          alg: fc.oneof(fc.constantFrom("RS256", "none", "HS256", "ES256", "PS256", "dir"), fc.jsonValue()),
          kid: fc.oneof(fc.string(), fc.jsonValue()),
          typ: fc.jsonValue(),
          crit: fc.oneof(fc.constant(["b64"]), fc.jsonValue()),
          b64: fc.oneof(fc.boolean(), fc.jsonValue()),
          jwk: fc.jsonValue(),
          jku: fc.constantFrom("http://127.0.0.1:1/jwks", "file:///etc/passwd"),
          enc: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    const base64urlChar = fc.constantFrom(
      ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.".split(""),
    );
    const printableOrTab = fc.constantFrom(
      "\t",
      ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
    );
    const header = fc.oneof(
      fc.string({ unit: printableOrTab, maxLength: 200 }),
      fc
        .tuple(
          fc.constantFrom("Bearer ", "bearer ", "BEARER  ", "Bearer\t", "Bearer"),
          fc.string({ unit: base64urlChar, maxLength: 400 }),
        )
        .map(([scheme, token]) => scheme + token),
      fc
        .tuple(headerish, fc.jsonValue(), fc.string({ maxLength: 60 }), fc.integer({ min: 2, max: 5 }))
        .map(
          ([jose, payload, signature, parts]) =>
            `Bearer ${[b64(jose), b64(payload), b64(signature), b64(signature), b64(signature)].slice(0, parts).join(".")}`,
        ),
    );
    const bearerRoutes = ROUTES.filter((route) => route.auth === "bearer" || route.auth === "signedIn");
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bearerRoutes), header, async (route, value) => {
        const before = await tableSnapshot(service);
        const response = await call(route, target, authorization(value));
        expectProblem(response, 401, "UNAUTHENTICATED");
        expect(await tableSnapshot(service)).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });
});

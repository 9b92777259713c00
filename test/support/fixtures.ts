import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { createDevTokenIssuer } from "../../dev/devTokenIssuer";
import type { Principal } from "../../shared/domain/principal";
import type { CallResult, TestService } from "./testService";

/** The admin app role, spelled as Entra ID puts it in `roles`. */
export const ADMIN_ROLES = ["AppPasswords.Admin"];

/** argon2id at the lowest cost the config accepts: the domain tests need real hashes, not strong ones. */
export const CHEAP_ARGON2 = { memoryKib: 8192, timeCost: 1, parallelism: 1 } as const;

/** A principal as the token validator would produce it: lowercase object id and login name. */
export function principal(loginName: string, options: { userId?: string; isAdmin?: boolean } = {}): Principal {
  return {
    userId: (options.userId ?? randomUUID()).toLowerCase(),
    loginName: loginName.toLowerCase(),
    isAdmin: options.isAdmin ?? false,
  };
}

/**
 * `{user}` route values every route refuses with 400 naming `user`: `me`, an object id or a login name is
 * accepted, and nothing that could be read as a path or disguises `me`. Percent-encoded as they go into the path.
 */
export const INVALID_USER_PARAMS = [
  ["an encoded slash and dot segment", "me%2F.."],
  ["encoded dots and slash", "%2E%2E%2Fme"],
  ["an encoded backslash", "me%5C.."],
  ["a SQL-ish string", "me'%20or%20'1'%3D'1"],
  ["me with a NUL", "me%00"],
  ["ME in capitals", "ME"],
  ["a name with a line break", "alice%0A@contoso.com"],
] as const;

/**
 * `{user}` values that name someone other than the caller (a login name, or what is not an object id and so
 * reads as one): every route refuses them with 403 for anyone but an administrator, before looking anyone up.
 */
export const OTHER_USER_PARAMS = [
  ["a login name", "alice"],
  ["an email address", "alice@contoso.com"],
  ["a GUID with a stray letter", "00000000-0000-0000-0000-00000000000g"],
  ["a GUID in braces", "{9a3c2f1e-0b4d-4c5e-8f60-7a1b2c3d4e5f}"],
] as const;

/** A login name nobody else in the run uses. */
export const uniqueLogin = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}@contoso.com`;

/** A signed-in person of the test service: their token, object id and login name. */
export interface TestUser {
  readonly token: string;
  readonly userId: string;
  readonly loginName: string;
}

/** Issues a token for a fresh person, optionally an admin. */
export async function newUser(service: TestService, prefix: string, roles: string[] = []): Promise<TestUser> {
  const loginName = uniqueLogin(prefix);
  const userId = randomUUID();
  return { token: await service.token({ upn: loginName, oid: userId, roles }), userId, loginName };
}

/** A fresh person who has registered (and so holds their initial app password). */
export async function registeredUser(
  service: TestService,
  prefix: string,
  roles: string[] = [],
): Promise<TestUser & { readonly initialPassword: string; readonly initialId: string }> {
  const user = await newUser(service, prefix, roles);
  const registered = await service.call("POST", "/api/users/me/registration", { token: user.token });
  expect(registered.status).toBe(201);
  return {
    ...user,
    initialPassword: registered.json.appPassword.password as string,
    initialId: registered.json.appPassword.id as string,
  };
}

/** The person's app passwords as the list endpoint shows them. */
export async function listOf(service: TestService, token: string, user = "me") {
  const list = await service.call("GET", `/api/users/${user}/app-passwords`, { token });
  expect(list.status).toBe(200);
  return list.json as { items: { id: string; name: string; createdAt: string; lastUsedAt?: string }[]; count: number };
}

/** Sends a request that must be refused, and checks that the owner's app passwords are just as they were. */
export async function refusedLeavingUnchanged(
  service: TestService,
  owner: { readonly token: string },
  send: () => Promise<CallResult>,
): Promise<CallResult> {
  const before = await listOf(service, owner.token);
  // With nothing stored, "unchanged" would prove nothing.
  expect(before.count).toBeGreaterThan(0);
  const response = await send();
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect((await listOf(service, owner.token)).items).toEqual(before.items);
  return response;
}

const STACK_TRACE = /\n\s+at |\bat .+\.(?:ts|js|mjs|cjs):\d+/;

/**
 * Asserts an RFC 9457 problem answer: status in line with the body, problem+json, the members every
 * problem carries, a SCREAMING_SNAKE code, and no stack trace.
 */
export function expectProblem(response: CallResult, status: number, code: string) {
  expect({ status: response.status, code: response.json?.code }).toEqual({ status, code });
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(response.json.status).toBe(response.status);
  expect(response.json).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(response.json.code).toMatch(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/);
  expect(response.json).not.toHaveProperty("stack");
  expect(response.text).not.toMatch(STACK_TRACE);
}

/** The fields a 400 answer names in `errors[].field`. */
export function fieldsOf(response: CallResult): string[] {
  const errors = (response.json?.errors ?? []) as { field: string }[];
  return errors.map((error) => error.field);
}

/** Asserts a 400 INVALID_REQUEST naming `field` among the offending fields. */
export function expectInvalid(response: CallResult, field: string) {
  expectProblem(response, 400, "INVALID_REQUEST");
  expect(fieldsOf(response)).toContain(field);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Tokens the service must refuse with 401, each labelled: not a JWT, unsigned, tampered with, and signed by
 * a key or an issuer it does not trust (a second development issuer with its own key).
 */
export async function untrustedTokens(service: TestService, upn: string): Promise<[string, string][]> {
  const { issuer, audience } = service.issuer;
  const genuine = await service.token({ upn });
  const [header = "", payload = "", signature = ""] = genuine.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  const impostor = createDevTokenIssuer(issuer, audience);
  const otherIssuer = createDevTokenIssuer("https://login.example.net/other/v2.0", audience);
  return [
    ["garbage", "garbage"],
    ["three garbage segments", "abc.def.ghi"],
    ["empty segments", "..."],
    ["unsigned (alg none)", `${base64url({ alg: "none", typ: "JWT" })}.${payload}.`],
    ["tampered claims", `${header}.${base64url({ ...claims, roles: ADMIN_ROLES })}.${signature}`],
    ["a signature from another token", `${header}.${payload}.${signature.split("").reverse().join("")}`],
    ["signed by another key under the same issuer", await impostor.issue({ upn })],
    ["from another issuer", await otherIssuer.issue({ upn })],
  ];
}

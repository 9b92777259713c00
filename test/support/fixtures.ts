import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { Principal } from "../../shared/domain/principal";
import type { CallResult, ServiceClient } from "./serviceClient";

/** A principal as the token validator would produce it: lowercase object id and login name. */
export function principal(loginName: string, options: { userId?: string; isAdmin?: boolean } = {}): Principal {
  return {
    userId: (options.userId ?? randomUUID()).toLowerCase(),
    loginName: loginName.toLowerCase(),
    isAdmin: options.isAdmin ?? false,
  };
}

/** A login name nobody else in the run uses. */
export const uniqueLogin = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}@contoso.com`;

/** A signed-in person of the test service: their token, object id and login name. */
export interface TestUser {
  readonly token: string;
  readonly userId: string;
  readonly loginName: string;
}

/** Issues a token for a fresh person, optionally an admin. */
export async function newUser(service: ServiceClient, prefix: string, roles: string[] = []): Promise<TestUser> {
  const loginName = uniqueLogin(prefix);
  const userId = randomUUID();
  return { token: await service.token({ upn: loginName, oid: userId, roles }), userId, loginName };
}

/** A person who has registered: their initial app password and its id. */
export interface RegisteredUser extends TestUser {
  readonly initialPassword: string;
  readonly initialId: string;
}

/** A fresh person who has registered (and so holds their initial app password). */
export async function registeredUser(
  service: ServiceClient,
  prefix: string,
  roles: string[] = [],
): Promise<RegisteredUser> {
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
export async function listOf(service: ServiceClient, token: string, user = "me") {
  const list = await service.call("GET", `/api/users/${user}/app-passwords`, { token });
  expect(list.status).toBe(200);
  return list.json as { items: { id: string; name: string; createdAt: string; lastUsedAt?: string }[]; count: number };
}

/** Sends a request that must be refused, and checks that the owner's app passwords are just as they were. */
export async function refusedLeavingUnchanged(
  service: ServiceClient,
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

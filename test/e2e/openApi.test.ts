import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFunctions } from "../../dev/functionRegistry";
import { definedEndpoints } from "../../shared/adapters/defineEndpoint";
import type { ProblemCode } from "../../shared/adapters/problemResponse";
import { registeredUser } from "../support/fixtures";
import { ADMIN_ROLES } from "../support/constants";
import { createOpenApiValidator } from "../support/openApiValidator";
import { startTestService, type TestService } from "../support/testService";

// Every problem code, as a record so that a code added to ProblemCode fails to compile here until it is listed.
const EVERY_PROBLEM_CODE: Record<ProblemCode, true> = {
  FORBIDDEN: true,
  SELF_SERVICE_ONLY: true,
  APP_PASSWORDS_DISABLED: true,
  REGISTRATION_REQUIRED: true,
  APP_PASSWORD_NOT_FOUND: true,
  APP_PASSWORD_LIMIT_REACHED: true,
  LIFETIME_TOO_LONG: true,
  USER_NOT_FOUND: true,
  INVALID_CONTINUATION: true,
  CONTENTION: true,
  INVALID_REQUEST: true,
  MALFORMED_JSON: true,
  PAYLOAD_TOO_LARGE: true,
  UNAUTHENTICATED: true,
  VERIFY_THROTTLED: true,
  STORAGE_UNAVAILABLE: true,
  IDENTITY_UNAVAILABLE: true,
  INTERNAL_ERROR: true,
  LOGIN_NAME_IN_USE: true,
  LOGIN_NAME_NOT_FOUND: true,
  INSUFFICIENT_SCOPE: true,
  HANDOFF_NOT_FOUND: true,
  HANDOFF_LIMIT_REACHED: true,
  HANDOFF_TOO_LARGE: true,
  POLICY_CHANGED: true,
  IF_MATCH_REQUIRED: true,
};

describe("openApi: GET /api/openapi.json", () => {
  let service: TestService;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the document is checked by ajv below
  let document: any;

  beforeAll(async () => {
    service = await startTestService();
    const response = await service.call("GET", "/api/openapi.json");
    expect(response.status).toBe(200);
    document = response.json;
  });
  afterAll(() => service.close());

  it("is served to anyone, as OpenAPI 3.1 whose every schema is valid JSON Schema 2020-12", () => {
    expect(document.openapi).toBe("3.1.0");
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(document.components.schemas as Record<string, object>)) {
      expect(ajv.validateSchema(schema), name).toBe(true);
    }
    expect(createOpenApiValidator(document).problems([])).toEqual([]);
  });

  it("catches an answer that drifts from it: a missing member, an undocumented status or code", () => {
    const answer = (status: number, json: unknown, contentType = "application/json") => ({
      status,
      headers: new Headers({ "content-type": contentType }),
      text: JSON.stringify(json),
      json,
    });
    const item = { id: "0badc0de", name: "Phone", createdAt: "2026-05-01T08:00:00.000Z" };
    const route = "/api/users/me/app-passwords/0badc0de";
    const validator = createOpenApiValidator(document);
    expect(validator.problems([{ method: "GET", route, response: answer(200, item) }])).toEqual([]);
    const nameless = { id: item.id, createdAt: item.createdAt };
    const problem = (code: string, status: number) =>
      answer(status, { type: "t", title: "t", status, detail: "d", code }, "application/problem+json");
    for (const drifted of [
      answer(200, nameless),
      answer(200, { ...item, protocols: ["telnet"] }),
      answer(202, item),
      problem("APP_PASSWORD_LIMIT_REACHED", 409),
      problem("LIMIT_REACHED", 404),
    ]) {
      expect(validator.problems([{ method: "GET", route, response: drifted }])).toHaveLength(1);
    }
  });

  it("documents exactly the HTTP functions there are, each by its method and route", async () => {
    const { http } = await loadFunctions(path.join(__dirname, "..", "..", "functions"));
    const served = http.map(({ name, options }) => [name, options.methods, options.route]).sort();
    const documented = definedEndpoints()
      .map(({ name, method, route }) => [name, [method], route])
      .sort();
    expect(documented).toEqual(served);
    for (const { name, ...operation } of definedEndpoints()) {
      const template = `/api/${operation.route.replace("{id?}", "{id}")}`;
      expect(document.paths[template]?.[operation.method.toLowerCase()]?.operationId, name).toBe(name);
    }
  });

  it("names every problem code somewhere", () => {
    const named = new Set(
      JSON.stringify(document)
        .match(/"[A-Z][A-Z_]+"/g)
        ?.map((code) => code.slice(1, -1)),
    );
    for (const code of Object.keys(EVERY_PROBLEM_CODE)) expect(named, code).toContain(code);
  });

  it("describes every answer of a session that gets, renames, restricts, pages activity and fails", async () => {
    const alice = await registeredUser(service, "alice");
    const admin = await registeredUser(service, "admin", ADMIN_ROLES);
    const created = await service.call("POST", "/api/users/me/app-passwords", {
      token: alice.token,
      body: { name: "Phone", expiresInDays: 30, protocols: ["imap", "smtp"], allowedIps: ["198.51.100.0/24"] },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    await service.verify(alice.loginName, created.json.password as string, { protocol: "imaps" });
    await service.verify(alice.loginName, created.json.password as string, { protocol: "pop3" });
    await service.call("GET", `/api/users/me/app-passwords/${id}`, { token: alice.token });
    await service.call("PATCH", `/api/users/me/app-passwords/${id}`, { token: alice.token, body: { name: "Work" } });
    await service.call("PATCH", `/api/users/me/app-passwords/${id}`, { token: alice.token, body: { name: "" } });
    await service.call("PATCH", "/api/users/me/app-passwords/0badc0de", { token: alice.token, body: { name: "x" } });
    await service.call("GET", `/api/users/${alice.loginName.toUpperCase()}/app-passwords`, { token: admin.token });
    await service.call("GET", "/api/users/nobody@contoso.com/app-passwords", { token: admin.token });
    await service.call("GET", `/api/users/${admin.loginName}/activity`, { token: alice.token });
    const first = await service.call("GET", "/api/users/me/activity?limit=2", { token: alice.token });
    await service.call("GET", `/api/users/me/activity?limit=2&continuation=${first.json.continuation as string}`, {
      token: alice.token,
    });
    await service.call("GET", "/api/users/me/activity?continuation=bm9wZQ", { token: alice.token });
    await service.call("POST", "/api/users/me/app-passwords", {
      token: alice.token,
      body: { name: "Bad", allowedIps: ["10.0.0.0/33"] },
    });
    await service.call("DELETE", `/api/users/me/app-passwords/${id}`, { token: alice.token });
    await service.call("DELETE", "/api/users/me/throttle", { token: alice.token });
    await service.call("GET", "/api/users/me/app-passwords");
    // The tenant policy: read, saved over its ETag, refused without one and over a stale one, its changes.
    const policy = await service.call("GET", "/api/policy", { token: alice.token });
    const values = { allowed: true, maxPerUser: 40, maxLifetimeDays: 365, deleteUnusedAfterDays: null };
    const ifMatch = (etag: string) => ({ "if-match": etag });
    await service.call("PUT", "/api/policy", { token: admin.token, body: values });
    await service.call("PUT", "/api/policy", { token: alice.token, body: values, headers: ifMatch("*") });
    await service.call("PUT", "/api/policy", {
      token: admin.token,
      body: values,
      headers: ifMatch(policy.json.etag as string),
    });
    await service.call("PUT", "/api/policy", {
      token: admin.token,
      body: { ...values, maxLifetimeDays: null },
      headers: ifMatch(policy.json.etag as string),
    });
    await service.call("GET", "/api/policy", { token: admin.token });
    await service.call("GET", "/api/policy/changes", { token: admin.token });
    const statuses = new Set(service.calls.map((call) => call.response.status));
    expect([...statuses].sort()).toEqual([200, 201, 204, 400, 401, 403, 404, 412, 428]);
    expect(createOpenApiValidator(document).problems(service.calls)).toEqual([]);
  });
});

import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFunctions } from "../../dev/functionRegistry";
import { ADMIN_ROLES, CHEAP_ARGON2_SETTINGS } from "../support/constants";
import { expectClientSafeAnswer } from "../support/expectProblem";
import { rawRequest } from "../support/rawRequest";
import type { CallResult } from "../support/serviceClient";
import { socketRequest } from "../support/socketRequest";
import { startTestService, type TestService } from "../support/testService";

/**
 * What a caller may put in a route value: login names in other scripts and emoji, and the characters that
 * mean something in a URL or a path. Each is also a login name some token carries, so that where the route
 * accepts it, the request goes all the way through (create, and its `Location`, included).
 */
const VALUES = [
  "łukasz@fabrikam.com",
  "ŻÓŁW@FABRIKAM.COM",
  "名前@例.jp",
  "🦊@fabrikam.com",
  "👩‍💻@fabrikam.com",
  "a/b",
  "a?b",
  "a#b",
  "a%2Fb",
  "%",
  "..",
  ".",
  "a b",
  "a\\b",
  "me",
] as const;

/** The values `{user}` takes (as the owner's own login name): for these, create answers 201 with a `Location`. */
const TAKEN = new Set<string>([
  "łukasz@fabrikam.com",
  "ŻÓŁW@FABRIKAM.COM",
  "名前@例.jp",
  "🦊@fabrikam.com",
  "a?b",
  "a#b",
  "a%2Fb",
  "%",
  "me",
]);

/** A body each function that takes one accepts, so a request with a good route value reaches the function's end. */
const BODIES: Readonly<Record<string, unknown>> = {
  registration: {},
  createAppPassword: { name: "Phone" },
  renameAppPassword: { name: "Renamed phone" },
  // 32 bytes of ciphertext and tag, and a 12-byte nonce, base64url: what the page's AES-GCM gives.
  createHandoff: { ciphertext: "A".repeat(43), iv: "B".repeat(16) },
};

/** One route of one function: a method and its path template, `{id?}` taken with and without. */
interface RouteTemplate {
  readonly fn: string;
  readonly method: string;
  readonly template: string;
}

/** Every route of functions/ that takes a value from the path, as the Functions host (and the local host) serve it. */
async function routesWithValues(): Promise<RouteTemplate[]> {
  const { http } = await loadFunctions(path.join(__dirname, "..", "..", "functions"));
  return http.flatMap(({ name, options }) => {
    const route = options.route ?? name;
    if (!route.includes("{")) return [];
    const templates = route.includes("{id?}") ? [route.replace("{id?}", "{id}"), route.replace("/{id?}", "")] : [route];
    return (options.methods ?? ["GET", "POST"]).flatMap((method) =>
      templates.map((template) => ({ fn: name, method, template: `/api/${template}` })),
    );
  });
}

/** Send order: reads and creates first, then what removes things, so most requests find their target. */
const methodOrder = (method: string) => ["GET", "POST", "PATCH", "DELETE"].indexOf(method);

/** Characters Node's HTTP client refuses in a path: a client sends them only by writing the bytes itself. */
const unsendable = (value: string) => /[^\x21-\x7e]/.test(value);

/** The request line and headers of a request with `target` as is, for what no HTTP client sends. */
function rawBytes(method: string, target: string, token: string, body: unknown): Buffer {
  const json = body === undefined ? "" : JSON.stringify(body);
  const head = [
    `${method} ${target} HTTP/1.1`,
    "Host: localhost",
    `Authorization: Bearer ${token}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(json)}`,
    "Connection: close",
  ];
  return Buffer.from(`${head.join("\r\n")}\r\n\r\n${json}`, "utf8");
}

describe("route values: nothing a caller puts in the path breaks an answer", () => {
  let service: TestService;
  let adminToken: string;
  let routes: RouteTemplate[];

  beforeAll(async () => {
    service = await startTestService({ env: CHEAP_ARGON2_SETTINGS });
    adminToken = await service.token({ upn: `admin-${randomUUID().slice(0, 8)}@contoso.com`, roles: ADMIN_ROLES });
    routes = (await routesWithValues()).sort((a, b) => methodOrder(a.method) - methodOrder(b.method));
  });
  afterAll(() => service.close());

  it("finds the routes that take a value (a new one is swept without a change here), with a body for each that needs one", () => {
    expect([...new Set(routes.map((route) => route.fn))]).toEqual(
      expect.arrayContaining([
        "registration",
        "createAppPassword",
        "listAppPasswords",
        "getAppPassword",
        "renameAppPassword",
        "deleteAppPassword",
        "listActivity",
        "resetVerifyThrottle",
        "releaseLoginName",
      ]),
    );
    const withBodies = routes.filter((route) => route.method === "POST" || route.method === "PATCH");
    expect(withBodies.filter((route) => !(route.fn in BODIES))).toEqual([]);
  });

  describe.each(VALUES)("the value %j", (value) => {
    let ownerToken: string;
    let ownId: string;
    /** How many `Location` headers came back, each followed to what it names. */
    let locations = 0;

    beforeAll(async () => {
      ownerToken = await service.token({ upn: value, oid: randomUUID() });
      const registered = await service.call("POST", "/api/users/me/registration", { token: ownerToken, body: {} });
      ownId = (registered.json?.appPassword?.id as string | undefined) ?? "0badc0de";
    });

    /** The path of `route` with `value` in the parameter `param`, the other parameters naming the owner's own. */
    const pathWith = (route: RouteTemplate, param: string, segment: string) =>
      route.template.replace(/\{(\w+)\}/g, (_, name: string) => {
        if (name === param) return segment;
        return name === "id" ? ownId : "me";
      });

    /** Sends it as the owner and as an administrator; checks each answer, and that a `Location` given resolves. */
    async function sendAll(route: RouteTemplate, target: string, raw: boolean) {
      const answers: { who: string; answer: CallResult | undefined }[] = [];
      for (const [who, token] of [
        ["owner", ownerToken],
        ["admin", adminToken],
      ] as const) {
        const body = BODIES[route.fn];
        const answer = raw
          ? (await socketRequest(service.url, rawBytes(route.method, target, token, body))).answer
          : await rawRequest(service, route.method, target, {
              token,
              ...(body !== undefined && {
                body: JSON.stringify(body),
                headers: { "content-type": "application/json" },
              }),
            });
        answers.push({ who, answer });
      }
      for (const { who, answer } of answers) {
        expect(answer, `${who}: ${route.method} ${target} got no answer`).toBeDefined();
        if (answer === undefined) continue;
        expectClientSafeAnswer(answer);
        const location = answer.headers.get("location");
        if (location !== null) {
          locations++;
          const created = await rawRequest(service, "GET", location, {
            token: who === "owner" ? ownerToken : adminToken,
          });
          expect(created.status, `GET ${location}`).toBe(200);
          expect(created.json.id).toBe(answer.json.id);
        }
      }
    }

    it("is answered by every route, percent-encoded or as typed, never with a 5xx, errors as problem+json", async () => {
      const logged = service.logs.length;
      for (const route of routes) {
        for (const param of [...route.template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? "")) {
          await sendAll(route, pathWith(route, param, encodeURIComponent(value)), false);
          await sendAll(route, pathWith(route, param, value), unsendable(value));
        }
      }
      expect(service.logs.slice(logged).filter((line) => line.level === "error")).toEqual([]);
      expect(locations > 0, "created with a Location that resolves").toBe(TAKEN.has(value));
    });
  });

  describe.each(["łukasz@contoso.com", "名前@例え.jp", "🦊@contoso.com"])(
    "a person whose login name is %j, naming themselves by it",
    (loginName) => {
      const byName = `/api/users/${encodeURIComponent(loginName)}`;
      let token: string;

      beforeAll(async () => {
        token = await service.token({ upn: loginName, oid: randomUUID() });
      });

      it("registers: 201 with the first app password, then 200", async () => {
        const first = await service.call("POST", `${byName}/registration`, { token, body: {} });
        expect(first.status).toBe(201);
        expect(first.json.appPassword.password).toEqual(expect.any(String));
        expect((await service.call("POST", `${byName}/registration`, { token, body: {} })).status).toBe(200);
      });

      it("creates an app password: 201 with the password and a Location that answers 200; it verifies", async () => {
        const created = await service.call("POST", `${byName}/app-passwords`, { token, body: { name: "Phone" } });
        expect(created.status).toBe(201);
        expect(created.json.password).toEqual(expect.any(String));
        const location = created.headers.get("location");
        expect(location).toBe(`${byName}/app-passwords/${created.json.id}`);
        const shown = await service.call("GET", location ?? "", { token });
        expect(shown.status).toBe(200);
        expect(shown.json).toMatchObject({ id: created.json.id, name: "Phone" });

        const verified = await service.verify(loginName, created.json.password as string);
        expect(verified.json).toMatchObject({ valid: true, loginName, appPasswordId: created.json.id });
        const listed = await service.call("GET", `${byName}/app-passwords`, { token });
        expect(listed.json.count).toBe(2);
      });

      it("is found by an administrator by that name, in another case too", async () => {
        const upper = encodeURIComponent(loginName.toUpperCase());
        const listed = await service.call("GET", `/api/users/${upper}/app-passwords`, { token: adminToken });
        expect(listed.status).toBe(200);
        expect(listed.json.count).toBe(2);
      });
    },
  );
});

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../dev/azurite";
import { createDevTokenIssuer } from "../../dev/devTokenIssuer";
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  startLocalHost,
  type LocalHost,
} from "../../dev/localHost";
import { startCountingProxy, type CountingProxy } from "../support/countingProxy";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { rawRequest } from "../support/rawRequest";
import { socketRequest } from "../support/socketRequest";
import { startTestService, type TestService } from "../support/testService";
import type { ServicesProvider } from "../../shared/services";

/** For a host with no functions: nothing ever asks for services. */
const NO_SERVICES: ServicesProvider = () => {
  throw new Error("This host serves no functions");
};

describe("the local host: refused bodies and the development issuer's callers", () => {
  let proxy: CountingProxy;
  let service: TestService;
  /** While set, storage requests hang until the service's storage timeout answers 503. */
  let storageHangs = false;

  beforeAll(async () => {
    proxy = await startCountingProxy(inject("tableConnectionString"), {
      beforeForward: () => (storageHangs ? new Promise<void>(() => undefined) : Promise.resolve()),
    });
    service = await startTestService({
      env: { APP_PASSWORDS_TABLE_CONNECTION_STRING: proxy.connectionString },
    });
  });
  afterAll(async () => {
    await service.close();
    await proxy.close();
  });

  it("answers a request after a refused oversized body, even one that waits on slow storage, instead of a reset", async () => {
    const refused = await service.call("POST", "/api/verify", {
      rawBody: JSON.stringify({ user: "a@contoso.com", password: "x".repeat(16 * 1024 * 1024) }),
      headers: { "content-type": "application/json", "x-functions-key": service.functionKey },
    });
    expect(refused.status).toBe(413);
    storageHangs = true;
    try {
      const slow = await service.verify("someone@contoso.com", "abcdefghijklmnop", { clientIp: "192.0.2.1" });
      expect(slow.status).toBe(503);
    } finally {
      storageHangs = false;
    }
  });

  describe("the development issuer", () => {
    const tokenRequest = (headers: Record<string, string>) =>
      rawRequest(service, "POST", "/dev/token", { headers, body: JSON.stringify({ upn: "dev@contoso.com" }) });
    const port = () => new URL(service.url).port;

    it.each(["localhost", "127.0.0.1", "[::1]", "LOCALHOST"])(
      "issues a token to a request addressed to %s",
      async (host) => {
        const answer = await tokenRequest({ host: `${host}:${port()}`, "content-type": "application/json" });
        expect(answer.status).toBe(200);
        expect(answer.json.access_token).toEqual(expect.any(String));
      },
    );

    it.each(["attacker.example", "localhost.attacker.example", "127.0.0.1.nip.io", "evil.example:80"])(
      "refuses requests addressed to another name (DNS rebinding): Host %j",
      async (host) => {
        const answer = await tokenRequest({ host, "content-type": "application/json" });
        expectProblem(answer, 403, "FORBIDDEN");
        expect(answer.text).not.toContain("access_token");
        const keys = await rawRequest(service, "GET", "/dev/jwks", { headers: { host } });
        expectProblem(keys, 403, "FORBIDDEN");
      },
    );

    it.each([
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonp",
    ])("refuses a token request with Content-Type %s, which a web page may send without CORS", async (type) => {
      const answer = await tokenRequest({ host: `localhost:${port()}`, "content-type": type });
      expectProblem(answer, 400, "INVALID_REQUEST");
      expect(answer.text).not.toContain("access_token");
    });
  });

  describe("a Host header that is not one", () => {
    it.each(["[::1", "a b", "[::1]x", "a@b", "a/b", "localhost:99999", "local host:7071", "[zz::1]"])(
      "answers 400 problem+json naming the host, not a 500: Host %j",
      async (host) => {
        for (const path of ["/api/openapi.json", "/dev/jwks", "/"]) {
          expectInvalid(await rawRequest(service, "GET", path, { headers: { host } }), "host");
        }
        expect(service.logs.filter((line) => line.level === "error")).toEqual([]);
      },
    );

    it("answers 400 problem+json to an HTTP/1.1 request without one, and serves an HTTP/1.0 one", async () => {
      const missing = await socketRequest(service.url, "GET /api/openapi.json HTTP/1.1\r\nConnection: close\r\n\r\n");
      expect(missing.answer).toBeDefined();
      if (missing.answer) expectInvalid(missing.answer, "host");
      const old = await socketRequest(service.url, "GET /api/openapi.json HTTP/1.0\r\n\r\n");
      expect(old.answer?.status).toBe(200);
    });
  });

  it.each([
    ["a raw space in the path", "GET /api/users/a b/app-passwords HTTP/1.1\r\nHost: localhost\r\n\r\n"],
    [
      "raw UTF-8 in the path",
      "GET /api/users/\u0142ukasz@contoso.com/app-passwords HTTP/1.1\r\nHost: localhost\r\n\r\n",
    ],
    ["a control character in the path", "GET /api/\u0001 HTTP/1.1\r\nHost: localhost\r\n\r\n"],
    ["an unknown HTTP version", "GET /api/openapi.json HTTP/7.1\r\nHost: localhost\r\n\r\n"],
    ["a header without a colon", "GET /api/openapi.json HTTP/1.1\r\nHost: localhost\r\nnonsense\r\n\r\n"],
  ])("answers a request that is not valid HTTP (%s) with 400 problem+json", async (_, request) => {
    const { answer } = await socketRequest(service.url, Buffer.from(request, "utf8"));
    expect(answer).toBeDefined();
    if (answer) expectProblem(answer, 400, "INVALID_REQUEST");
  });

  it("answers headers too large with 431 problem+json", async () => {
    const request = `GET /api/openapi.json HTTP/1.1\r\nHost: localhost\r\nX-Filler: ${"x".repeat(20_000)}\r\n\r\n`;
    const { answer } = await socketRequest(service.url, request);
    expect(answer).toBeDefined();
    if (answer) expectProblem(answer, 431, "HEADERS_TOO_LARGE");
  });

  it("bounds a request's arrival with a 10 s headers and a 30 s whole-request timeout by default", () => {
    expect(service.host.timeouts).toEqual({ headersMs: 10_000, requestMs: 30_000 });
    expect([DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS]).toEqual([10_000, 30_000]);
  });
});

describe("the local host: clients too slow to send their request", () => {
  let host: LocalHost;
  const errors: string[] = [];

  beforeAll(async () => {
    host = await startLocalHost({
      functions: { http: [], timers: [], queues: [] },
      services: NO_SERVICES,
      functionKey: "slow-clients-key",
      issuer: createDevTokenIssuer("http://localhost/slow", "api://slow"),
      port: await freePort(),
      headersTimeoutMs: 200,
      requestTimeoutMs: 500,
      onLog: (level, message) => {
        if (level === "error") errors.push(message);
      },
    });
  });
  afterAll(async () => {
    await host.close();
    // A client cut off for being slow is no error of the host's.
    expect(errors).toEqual([]);
  });

  it("uses the timeouts it is given", () => {
    expect(host.timeouts).toEqual({ headersMs: 200, requestMs: 500 });
  });

  it("refuses a headers timeout longer than the request timeout", async () => {
    await expect(
      startLocalHost({
        functions: { http: [], timers: [], queues: [] },
        services: NO_SERVICES,
        functionKey: "k",
        issuer: createDevTokenIssuer("http://localhost/slow", "api://slow"),
        port: await freePort(),
        headersTimeoutMs: 600,
        requestTimeoutMs: 500,
      }),
    ).rejects.toThrow(/headers timeout/);
  });

  it("answers 408 problem+json and closes the connection when the body never finishes", async () => {
    const headers =
      "POST /api/verify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    const { answer } = await socketRequest(host.url, `${headers}{"user":"a@contoso.com"`);
    expect(answer).toBeDefined();
    if (answer) expectProblem(answer, 408, "REQUEST_TIMEOUT");
    expect(answer?.headers.get("connection")).toBe("close");
  });

  it("answers 408 problem+json and closes the connection when the headers never finish", async () => {
    const { answer } = await socketRequest(host.url, "GET /api/openapi.json HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1");
    expect(answer).toBeDefined();
    if (answer) expectProblem(answer, 408, "REQUEST_TIMEOUT");
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startCountingProxy, type CountingProxy } from "../support/countingProxy";
import { expectProblem } from "../support/expectProblem";
import { rawRequest } from "../support/rawRequest";
import { startTestService, type TestService } from "../support/testService";

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
});

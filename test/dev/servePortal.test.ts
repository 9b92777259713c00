import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../support/rawRequest";
import { startTestService, type TestService } from "../support/testService";

/** The local host serves the built self-service page beside the API, on the same origin. */
describe("the local host serving the self-service page", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "portal-"));
  const dist = path.join(folder, "dist");
  let service: TestService;
  let unbuilt: TestService;

  beforeAll(async () => {
    mkdirSync(path.join(dist, "assets"), { recursive: true });
    writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>App passwords</title>");
    writeFileSync(path.join(dist, "assets", "index-abc123.js"), "console.log('page');");
    writeFileSync(path.join(dist, "assets", "index-abc123.css"), "body{}");
    writeFileSync(path.join(dist, "favicon.svg"), "<svg/>");
    // Beside the page's folder, where a traversal would reach.
    writeFileSync(path.join(folder, "secret.txt"), "not for the web");
    [service, unbuilt] = await Promise.all([
      startTestService({ portalDir: dist }),
      startTestService({ portalDir: path.join(folder, "missing") }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([service.close(), unbuilt.close()]);
    rmSync(folder, { recursive: true, force: true });
  });

  it("serves index.html at / as HTML that must be fetched fresh", async () => {
    const page = await service.call("GET", "/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(page.text).toContain("<title>App passwords</title>");
  });

  it.each([
    ["/assets/index-abc123.js", "text/javascript; charset=utf-8"],
    ["/assets/index-abc123.css", "text/css; charset=utf-8"],
    ["/favicon.svg", "image/svg+xml"],
  ])("serves %s as %s", async (route, contentType) => {
    const file = await service.call("GET", route);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe(contentType);
  });

  it("lets the browser keep the content-hashed assets, and nothing else", async () => {
    expect((await service.call("GET", "/assets/index-abc123.js")).headers.get("cache-control")).toContain("immutable");
    expect((await service.call("GET", "/favicon.svg")).headers.get("cache-control")).toBe("no-cache");
  });

  it("answers the page's configuration for the development issuer on this origin", async () => {
    const config = await service.call("GET", "/config.json");
    expect(config.status).toBe(200);
    expect(config.headers.get("content-type")).toBe("application/json");
    expect(config.json).toEqual({ auth: "dev", apiBaseUrl: "/api" });
  });

  it("answers index.html for the page's own paths, so a reload of any view works", async () => {
    const view = await service.call("GET", "/admin-view/alice");
    expect(view.status).toBe(200);
    expect(view.text).toContain("<title>App passwords</title>");
  });

  it("answers 404, not HTML, for a missing file with an extension", async () => {
    const missing = await service.call("GET", "/assets/gone.js");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  });

  it.each(["/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2E%2E/%2E%2E/secret.txt", "/..%2fsecret.txt"])(
    "never reads outside the page's folder: %s",
    async (route) => {
      const answer = await rawRequest(service, "GET", route);
      expect(answer.text).not.toContain("not for the web");
      expect([400, 404]).toContain(answer.status);
    },
  );

  it("keeps the API, the development issuer and the timer endpoint as they were", async () => {
    const list = await service.call("GET", "/api/users/me/app-passwords");
    expect(list.status).toBe(401);
    expect(list.json.code).toBe("UNAUTHENTICATED");
    expect((await service.call("GET", "/api/no-such-route")).json.code).toBe("NOT_FOUND");
    expect((await service.call("GET", "/dev/jwks")).json.keys).toHaveLength(1);
    expect((await service.call("GET", "/dev/nothing")).json.code).toBe("NOT_FOUND");
    expect((await service.call("POST", "/")).json.code).toBe("NOT_FOUND");
  });

  it("says how to build the page when it is not built", async () => {
    const page = await unbuilt.call("GET", "/");
    expect(page.status).toBe(404);
    expect(page.text).toContain("npm run build:portal");
    expect((await unbuilt.call("GET", "/config.json")).json).toEqual({ auth: "dev", apiBaseUrl: "/api" });
  });
});

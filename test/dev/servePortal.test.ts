import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../support/rawRequest";
import type { CallResult } from "../support/serviceClient";
import { startTestService, type TestService } from "../support/testService";

/** The page's Azure Static Web Apps configuration, which Vite copies into the build (portal/dist). */
const CONFIG_FILE = path.join(__dirname, "..", "..", "portal", "public", "staticwebapp.config.json");

interface DeclaredConfig {
  readonly globalHeaders: Record<string, string>;
  readonly routes: readonly { readonly route: string; readonly headers?: Record<string, string> }[];
  readonly navigationFallback?: { readonly rewrite: string; readonly exclude?: readonly string[] };
}
const declared = JSON.parse(readFileSync(CONFIG_FILE, "utf8")) as DeclaredConfig;

/** Each directive of a Content-Security-Policy, by name. */
const directives = (policy: string) =>
  new Map(
    policy
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .map(([name = "", ...values]) => [name, values]),
  );

/** The local host serves the built self-service page beside the API, on the same origin. */
describe("the local host serving the self-service page", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "portal-"));
  const dist = path.join(folder, "dist");
  const withoutConfig = path.join(folder, "old-build");
  let service: TestService;
  let unbuilt: TestService;
  let oldBuild: TestService;

  beforeAll(async () => {
    mkdirSync(path.join(dist, "assets"), { recursive: true });
    writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>App passwords</title>");
    writeFileSync(path.join(dist, "assets", "index-abc123.js"), "console.log('page');");
    writeFileSync(path.join(dist, "assets", "index-abc123.css"), "body{}");
    writeFileSync(path.join(dist, "favicon.svg"), "<svg/>");
    copyFileSync(CONFIG_FILE, path.join(dist, "staticwebapp.config.json"));
    mkdirSync(withoutConfig);
    writeFileSync(path.join(withoutConfig, "index.html"), "<!doctype html><title>App passwords</title>");
    // Beside the page's folder, where a traversal would reach.
    writeFileSync(path.join(folder, "secret.txt"), "not for the web");
    [service, unbuilt, oldBuild] = await Promise.all([
      startTestService({ portalDir: dist }),
      startTestService({ portalDir: path.join(folder, "missing") }),
      startTestService({ portalDir: withoutConfig }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([service.close(), unbuilt.close(), oldBuild.close()]);
    rmSync(folder, { recursive: true, force: true });
  });

  it("serves index.html at / as HTML that is never kept", async () => {
    const page = await service.call("GET", "/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-store");
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

  it("says how to build the page when it is not built, or was built without its staticwebapp.config.json", async () => {
    for (const host of [unbuilt, oldBuild]) {
      const page = await host.call("GET", "/");
      expect(page.status).toBe(404);
      expect(page.text).toContain("npm run build:portal");
      expect(page.headers.get("x-content-type-options")).toBe("nosniff");
      expect((await host.call("GET", "/config.json")).json).toEqual({ auth: "dev", apiBaseUrl: "/api" });
    }
  });

  describe("the headers of staticwebapp.config.json, which the deployed page gets from Azure Static Web Apps", () => {
    /** What the file declares for `route`: the global headers, under those of the first route that is `route`. */
    const declaredFor = (route: string) => ({
      ...declared.globalHeaders,
      ...declared.routes.find((rule) => rule.route.toLowerCase() === route)?.headers,
    });
    const served = (answer: CallResult, names: Iterable<string>) =>
      Object.fromEntries([...names].map((name) => [name, answer.headers.get(name)]));

    it.each(["/", "/index.html", "/config.json", "/assets/index-abc123.js", "/favicon.svg", "/admin-view/alice"])(
      "are what the local host serves for %s, every one",
      async (route) => {
        const answer = await service.call("GET", route);
        expect(answer.status).toBe(200);
        const expected = declaredFor(route);
        expect(served(answer, Object.keys(expected))).toEqual(expected);
      },
    );

    it("are on the local host's own answers for the page too: a missing file, a bad path", async () => {
      for (const route of ["/assets/gone.js", "/%zz"]) {
        const answer = await rawRequest(service, "GET", route);
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(served(answer, Object.keys(declared.globalHeaders))).toEqual(declared.globalHeaders);
      }
    });

    it("declare no route the local host would match differently: exact paths only", () => {
      expect(declared.routes.filter((rule) => !/^\/[^*]*$/.test(rule.route))).toEqual([]);
    });

    it("keep the page in its own frame, sniff nothing, send no referrer, and let it reach only what it calls", () => {
      const headers = new Map(
        Object.entries(declared.globalHeaders).map(([name, value]) => [name.toLowerCase(), value]),
      );
      expect(headers.get("x-content-type-options")).toBe("nosniff");
      expect(headers.get("referrer-policy")).toBe("no-referrer");
      const csp = directives(headers.get("content-security-policy") ?? "");
      expect(csp.get("default-src")).toEqual(["'self'"]);
      expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
      expect(csp.get("object-src")).toEqual(["'none'"]);
      expect(csp.get("base-uri")).toEqual(["'self'"]);
      // The page's own scripts only: no inline script, no eval.
      expect(csp.get("script-src")).toEqual(["'self'"]);
      // The local API is on the page's origin; the deployed one on the function app's; sign-in is Entra ID's.
      expect(csp.get("connect-src")).toEqual([
        "'self'",
        "https://*.azurewebsites.net",
        "https://login.microsoftonline.com",
      ]);
      // MSAL renews a token silently in a hidden frame of the sign-in origin.
      expect(csp.get("frame-src")).toEqual(["https://login.microsoftonline.com"]);
    });

    it("never keep the page or its configuration, so a new deployment is seen at once", () => {
      for (const route of ["/", "/index.html", "/config.json"]) {
        expect(declaredFor(route)["Cache-Control"]).toBe("no-store");
      }
    });

    it("rewrite the page's own paths to index.html, but not a missing script or style", () => {
      expect(declared.navigationFallback?.rewrite).toBe("/index.html");
      expect(declared.navigationFallback?.exclude).toEqual(expect.arrayContaining(["/assets/*"]));
    });

    it("are not served as a file of the page, as Azure does not serve it", async () => {
      expect((await service.call("GET", "/staticwebapp.config.json")).status).toBe(404);
    });
  });
});

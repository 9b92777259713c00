import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./parseBicep";

// azd's postdeploy and postdown hooks (infra/hooks/*.sh), run for real against a stand-in `az` on PATH and a real
// HTTP server on loopback standing for the page and the function app. The stand-in records every call and answers
// as the Azure CLI documents it: `functionapp function keys list` a JSON object of key names to values (here reduced
// by the hook's own --query), `keys set` the new key, `cors show` the allowed origins, and `az rest` Microsoft
// Graph's answers, failing with a non-zero exit on a 404 as the CLI does.

const standInAz = `#!/bin/sh
state="$AZ_STATE"
printf '%s\\n' "$*" >> "$state/calls"
case "$*" in
  "functionapp function keys list "*"--query keys(@) -o tsv")
    [ -f "$state/keys" ] && tr '\\n' '\\t' < "$state/keys" | sed 's/\\t$//'; echo ;;
  "functionapp function keys set "*)
    name=$(printf '%s\\n' "$@" | sed -n '/^--key-name$/{n;p;}')
    echo "$name" >> "$state/keys"; echo "$name" ;;
  "functionapp cors show "*)
    [ -f "$state/cors" ] && tr '\\n' '\\t' < "$state/cors" | sed 's/\\t$//'; echo ;;
  "rest --method GET --url "*)
    unique=$(printf '%s' "$5" | sed -n "s/.*uniqueName='\\([^']*\\)'.*/\\1/p")
    if [ -f "$state/apps/$unique" ]; then cat "$state/apps/$unique"; else
      echo "ERROR: Not Found({\\"error\\":{\\"code\\":\\"Request_ResourceNotFound\\"}})" >&2; exit 1; fi ;;
  "rest --method DELETE --url "*"/v1.0/applications/"*)
    id=\${5##*/}; for f in "$state"/apps/*; do [ "$(cat "$f")" = "$id" ] && rm "$f"; done; : ;;
  "rest --method DELETE --url "*"/v1.0/directory/deletedItems/"*) : ;;
  *) echo "stand-in az: unexpected call: $*" >&2; exit 2 ;;
esac
`;

interface Site {
  config: Record<string, string>;
  verifyStatus: number;
  openApiStatus: number;
}

const site: Site = { config: {}, verifyStatus: 401, openApiStatus: 200 };
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.method === "GET" && request.url === "/config.json") {
      response.writeHead(200, { "content-type": "application/json" }).end(`${JSON.stringify(site.config, null, 2)}\n`);
    } else if (request.method === "GET" && request.url === "/api/openapi.json") {
      response.writeHead(site.openApiStatus, { "content-type": "application/json" }).end("{}");
    } else if (request.method === "POST" && request.url === "/api/verify") {
      // The platform refuses a call without a function key before the function runs.
      response.writeHead(site.verifyStatus).end();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const scratchDirs: string[] = [];
afterEach(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A scratch state directory for the stand-in, and a bin directory that puts it first on PATH. */
function standIn(state: { keys?: string[]; cors?: string[]; apps?: Record<string, string> }) {
  const dir = mkdtempSync(path.join(tmpdir(), "deploy-hooks-"));
  scratchDirs.push(dir);
  mkdirSync(path.join(dir, "bin"));
  mkdirSync(path.join(dir, "state", "apps"), { recursive: true });
  writeFileSync(path.join(dir, "bin", "az"), standInAz);
  chmodSync(path.join(dir, "bin", "az"), 0o755);
  if (state.keys) writeFileSync(path.join(dir, "state", "keys"), state.keys.map((k) => `${k}\n`).join(""));
  if (state.cors) writeFileSync(path.join(dir, "state", "cors"), state.cors.map((o) => `${o}\n`).join(""));
  for (const [name, id] of Object.entries(state.apps ?? {})) writeFileSync(path.join(dir, "state", "apps", name), id);
  return {
    env: { PATH: `${path.join(dir, "bin")}:${process.env.PATH ?? ""}`, AZ_STATE: path.join(dir, "state") },
    calls: () => {
      const file = path.join(dir, "state", "calls");
      return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
    },
    keys: () =>
      readFileSync(path.join(dir, "state", "keys"), "utf8")
        .trim()
        .split("\n"),
    apps: (name: string) => existsSync(path.join(dir, "state", "apps", name)),
  };
}

function runHook(hook: "postdeploy" | "postdown", env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    // The server answers in this process, so the hook must not block it: spawn, not spawnSync.
    const child = spawn("sh", [path.join(repoRoot, "infra", "hooks", `${hook}.sh`)], { cwd: repoRoot, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const tenantId = "22222222-2222-2222-2222-222222222222";
function deployment(): Record<string, string> {
  return {
    AZURE_RESOURCE_GROUP: "rg-prod",
    AZURE_FUNCTION_APP_NAME: "func-app-passwords-abc",
    PORTAL_URL: origin,
    API_BASE_URL: `${origin}/api`,
    PORTAL_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
    PORTAL_TENANT_ID: tenantId,
    PORTAL_API_SCOPE: `api://${tenantId}/app-passwords-api-abc/AppPasswords.Manage`,
    APP_PASSWORDS_SMOKE_ATTEMPTS: "1",
    APP_PASSWORDS_SMOKE_DELAY_SECONDS: "0",
  };
}

/** What the web service's predeploy hook writes for this deployment. */
function deployedConfig(env: Record<string, string>): Record<string, string> {
  return {
    auth: "msal",
    clientId: env.PORTAL_CLIENT_ID!,
    tenantId: env.PORTAL_TENANT_ID!,
    apiScope: env.PORTAL_API_SCOPE!,
    apiBaseUrl: env.API_BASE_URL!,
  };
}

describe("the postdeploy hook", () => {
  it("passes the smoke check of a deployment that is right, calling az only to read CORS", async () => {
    const az = standIn({ cors: [origin, "https://admin.contoso.com"] });
    const env = deployment();
    Object.assign(site, { config: deployedConfig(env), verifyStatus: 401, openApiStatus: 200 });
    const result = await runHook("postdeploy", { ...az.env, ...env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/smoke check passed/);
    expect(az.calls()).toEqual([
      "functionapp cors show --resource-group rg-prod --name func-app-passwords-abc --query allowedOrigins -o tsv",
    ]);
  });

  it("creates a key for each gateway that has none, keeps the others, and never prints a key", async () => {
    const az = standIn({ keys: ["default", "imap-gateway"], cors: [origin] });
    const env = deployment();
    Object.assign(site, { config: deployedConfig(env), verifyStatus: 401, openApiStatus: 200 });
    const result = await runHook("postdeploy", {
      ...az.env,
      ...env,
      APP_PASSWORDS_GATEWAYS: "imap-gateway, smtp-relay",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/gateway key imap-gateway kept/);
    expect(result.stdout).toMatch(/gateway key smtp-relay created/);
    expect(result.stdout).toMatch(/--function-name verifyAppPassword --query <gateway> -o tsv/);
    expect(az.calls().filter((call) => call.startsWith("functionapp function keys set"))).toEqual([
      "functionapp function keys set --resource-group rg-prod --name func-app-passwords-abc --function-name verifyAppPassword --key-name smtp-relay --query name -o tsv",
    ]);
    expect(az.keys()).toEqual(["default", "imap-gateway", "smtp-relay"]);

    // A second run (the next `azd deploy`) changes no key.
    const again = await runHook("postdeploy", { ...az.env, ...env, APP_PASSWORDS_GATEWAYS: "imap-gateway smtp-relay" });
    expect(again.code).toBe(0);
    expect(az.calls().filter((call) => call.startsWith("functionapp function keys set"))).toHaveLength(1);
    expect(again.stdout).toMatch(/gateway key smtp-relay kept/);
  });

  it("names each failed check and what to do about it, and fails the command", async () => {
    const az = standIn({ cors: ["https://admin.contoso.com"] });
    const env = deployment();
    Object.assign(site, {
      config: { ...deployedConfig(env), clientId: "00000000-0000-0000-0000-000000000000" },
      verifyStatus: 200,
      openApiStatus: 503,
    });
    const result = await runHook("postdeploy", { ...az.env, ...env });
    expect(result.code).toBe(1);
    const failures = result.stderr.split("\n").filter((line) => line.startsWith("postdeploy: FAILED"));
    expect(failures).toEqual([
      `postdeploy: FAILED ${origin}/config.json does not hold this deployment's values`,
      `postdeploy: FAILED the function app's CORS does not list ${origin}`,
      `postdeploy: FAILED ${origin}/api/openapi.json does not answer 200`,
      `postdeploy: FAILED POST ${origin}/api/verify without a function key is not refused with 401`,
    ]);
    expect(result.stderr.match(/ {2}what to do: /g)).toHaveLength(4);
    expect(result.stderr).toMatch(/azd deploy web/);
  });

  it("stops at once when the deployment's outputs are missing", async () => {
    const az = standIn({});
    const env = deployment();
    delete env.AZURE_FUNCTION_APP_NAME;
    const result = await runHook("postdeploy", { ...az.env, ...env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/outputs are missing.*\n {2}what to do: run `azd provision`/);
    expect(az.calls()).toEqual([]);
  });
});

describe("the postdown hook", () => {
  const graph = "https://graph.microsoft.com/v1.0";

  it("deletes and purges the registrations this template made, the page's first", async () => {
    const az = standIn({
      apps: { "app-passwords-portal-abc": "portal-object-id", "app-passwords-api-abc": "api-object-id" },
    });
    const result = await runHook("postdown", {
      ...az.env,
      ENTRA_API_UNIQUE_NAME: "app-passwords-api-abc",
      ENTRA_PORTAL_UNIQUE_NAME: "app-passwords-portal-abc",
    });
    expect(result.code).toBe(0);
    expect(az.calls()).toEqual([
      `rest --method GET --url ${graph}/applications(uniqueName='app-passwords-portal-abc') --query id -o tsv`,
      `rest --method DELETE --url ${graph}/applications/portal-object-id`,
      `rest --method DELETE --url ${graph}/directory/deletedItems/portal-object-id`,
      `rest --method GET --url ${graph}/applications(uniqueName='app-passwords-api-abc') --query id -o tsv`,
      `rest --method DELETE --url ${graph}/applications/api-object-id`,
      `rest --method DELETE --url ${graph}/directory/deletedItems/api-object-id`,
    ]);
    expect([az.apps("app-passwords-portal-abc"), az.apps("app-passwords-api-abc")]).toEqual([false, false]);
    expect(result.stdout).toMatch(/deleted the application app-passwords-api-abc \(api-object-id\)/);
  });

  it("touches nothing with registrations of the operator's own (no uniqueNames in the outputs)", async () => {
    const az = standIn({ apps: { "their-own": "their-object-id" } });
    const result = await runHook("postdown", { ...az.env, ENTRA_API_UNIQUE_NAME: "", ENTRA_PORTAL_UNIQUE_NAME: "" });
    expect(result.code).toBe(0);
    expect(az.calls()).toEqual([]);
  });

  it("is content when the registrations are already gone", async () => {
    const az = standIn({});
    const result = await runHook("postdown", { ...az.env, ENTRA_API_UNIQUE_NAME: "app-passwords-api-abc" });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/no application app-passwords-api-abc \(already deleted\)/);
    expect(az.calls().filter((call) => call.includes("DELETE"))).toEqual([]);
  });
});

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { portalConfigSources } from "../../dev/writePortalConfig";
import { repoRoot } from "./parseBicep";

// The web service's predeploy hook as `azd deploy web` runs it on a fresh clone: azd has installed portal/ (the
// service's restore) and built the page, and nothing else exists: no root node_modules, no root build.

const scratchDirs: string[] = [];
afterEach(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshCloneAfterWebPackage(): string {
  const root = mkdtempSync(path.join(tmpdir(), "portal-config-hook-"));
  scratchDirs.push(root);
  cpSync(path.join(repoRoot, "infra", "hooks"), path.join(root, "infra", "hooks"), { recursive: true });
  for (const file of ["writePortalConfig.ts", "mailSettings.ts"]) {
    cpSync(path.join(repoRoot, "dev", file), path.join(root, "dev", file));
  }
  mkdirSync(path.join(root, "portal", "node_modules"), { recursive: true });
  // The TypeScript that the web service's restore installs in portal/ (portal/package.json devDependencies), and
  // zod, which checks the mail settings (a dependency of the page too).
  for (const name of ["typescript", "zod"]) {
    symlinkSync(path.join(repoRoot, "portal", "node_modules", name), path.join(root, "portal", "node_modules", name));
  }
  mkdirSync(path.join(root, "portal", "dist"));
  return root;
}

const outputs = {
  [portalConfigSources.clientId]: "11111111-1111-1111-1111-111111111111",
  [portalConfigSources.tenantId]: "22222222-2222-2222-2222-222222222222",
  [portalConfigSources.apiScope]: "api://22222222-2222-2222-2222-222222222222/app-passwords-api-x/AppPasswords.Manage",
  [portalConfigSources.apiBaseUrl]: "https://func-app-passwords-x.azurewebsites.net/api",
};

function runHook(root: string, env: NodeJS.ProcessEnv) {
  // azd runs a service hook from the service's directory.
  return spawnSync("sh", [path.join(root, "infra", "hooks", "write-portal-config.sh")], {
    cwd: path.join(root, "portal"),
    env: { PATH: process.env.PATH, ...env },
  });
}

describe("the web service's predeploy hook", () => {
  it("writes config.json from the deployment's outputs with no root install or build", () => {
    const root = freshCloneAfterWebPackage();
    const result = runHook(root, outputs);
    expect(result.stderr.toString()).toBe("");
    expect(result.status).toBe(0);
    expect(existsSync(path.join(root, "node_modules"))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(root, "portal", "dist", "config.json"), "utf8"))).toEqual({
      auth: "msal",
      clientId: outputs.PORTAL_CLIENT_ID,
      tenantId: outputs.PORTAL_TENANT_ID,
      apiScope: outputs.PORTAL_API_SCOPE,
      apiBaseUrl: outputs.API_BASE_URL,
    });
  });

  it("stops the deployment, naming the missing output, when the deployment has not run", () => {
    const root = freshCloneAfterWebPackage();
    const result = runHook(root, { ...outputs, PORTAL_CLIENT_ID: "" });
    expect(result.status).not.toBe(0);
    expect(result.stderr.toString()).toMatch(/PORTAL_CLIENT_ID/);
    expect(existsSync(path.join(root, "portal", "dist", "config.json"))).toBe(false);
  });
});

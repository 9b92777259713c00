import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { posixHook } from "../../dev/installRace";
import { repoRoot } from "./parseBicep";

// The root postinstall and the api service's restore hooks, run for real in a scratch copy of the layout: a root
// with the real package.json scripts and infra/hooks/, and a portal/ with no dependencies, so an install of it is a
// quick real `npm install` that leaves its package-lock.json behind. dev/installRace.ts races the full installs.

const azureYaml = readFileSync(path.join(repoRoot, "azure.yaml"), "utf8");
const postinstall = (
  JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts.postinstall!;
const marker = path.join("node_modules", ".cache", "app-passwords", "azd-installs-portal");

const scratchDirs: string[] = [];
afterEach(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratchRoot(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "install-hooks-"));
  scratchDirs.push(dir);
  cpSync(path.join(repoRoot, "infra", "hooks"), path.join(dir, "infra", "hooks"), { recursive: true });
  mkdirSync(path.join(dir, "portal"));
  writeFileSync(
    path.join(dir, "portal", "package.json"),
    '{ "name": "portal", "version": "1.0.0", "private": true }\n',
  );
  return dir;
}

/** The test's environment as a plain shell has it, outside azd. */
function outsideAzd(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.AZURE_ENV_NAME;
  return env;
}

/** Runs the root postinstall as npm would (in the root, `npm_command` set); whether it installed portal/. */
function runPostinstall(root: string, env: NodeJS.ProcessEnv): { installedPortal: boolean; output: string } {
  const result = spawnSync("sh", ["-c", postinstall], { cwd: root, env: { ...env, npm_command: "install" } });
  expect(result.status).toBe(0);
  return {
    installedPortal: existsSync(path.join(root, "portal", "package-lock.json")),
    output: result.stdout.toString(),
  };
}

function runHook(root: string, hook: "prerestore" | "postrestore"): void {
  const command = posixHook(azureYaml, "api", hook);
  expect(command).toBeDefined();
  // azd runs a hook script from wherever; the scripts find the root from their own path.
  execFileSync("sh", ["-c", `sh ${path.join(root, command!)}`], { cwd: tmpdir() });
}

describe("the root postinstall", () => {
  it("installs portal/ on a plain `npm install`", () => {
    expect(runPostinstall(scratchRoot(), outsideAzd()).installedPortal).toBe(true);
  });

  it("installs portal/ under azd when the api's prerestore hook has not marked the install", () => {
    expect(runPostinstall(scratchRoot(), { ...process.env, AZURE_ENV_NAME: "dev" }).installedPortal).toBe(true);
  });

  it("leaves portal/ to azd between the api's prerestore and postrestore hooks", () => {
    const root = scratchRoot();
    runHook(root, "prerestore");
    expect(existsSync(path.join(root, marker))).toBe(true);
    const { installedPortal, output } = runPostinstall(root, { ...process.env, AZURE_ENV_NAME: "dev" });
    expect(installedPortal).toBe(false);
    expect(output).toMatch(/portal\/ is left to azd/);

    runHook(root, "postrestore");
    expect(existsSync(path.join(root, marker))).toBe(false);
    expect(runPostinstall(root, { ...process.env, AZURE_ENV_NAME: "dev" }).installedPortal).toBe(true);
  });

  it("ignores a marker outside azd, so a failed azd restore cannot leave a plain install without the page", () => {
    const root = scratchRoot();
    runHook(root, "prerestore");
    expect(runPostinstall(root, outsideAzd()).installedPortal).toBe(true);
  });
});

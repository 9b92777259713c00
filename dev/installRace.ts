import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The proof for issue 24 that azd's parallel packaging cannot make the two npm installs collide: on fresh clones of
 * this repository it does what azd does when it packages `api` and `web` at once (the api service's prerestore hook,
 * then `npm install` at the root and in portal/ together, then the postrestore hook) and counts the failures; a
 * control arm does the same with the root postinstall as it was before (which installed portal/ itself, always).
 * `npm run infra:install-race [-- <copies> [together|at-postinstall]]`; it takes minutes (one root install per copy and arm), so it is not part
 * of `npm test`.
 */

/** The root postinstall before issue 24: it always installed portal/, racing azd's own install there. */
export const racingPostinstall =
  "node -e \"if (require('fs').existsSync('portal/package.json')) require('child_process').execSync('npm ' + (process.env.npm_command === 'ci' ? 'ci' : 'install') + ' --prefix portal --no-audit --no-fund', { stdio: 'inherit' })\"";

/** azd's own install command for a Node.js service (azure-dev cli/azd/pkg/tools/node/node.go, npmCli.Install). */
const azdInstall = ["install", "--no-audit", "--no-fund", "--prefer-offline"];

interface RunResult {
  readonly code: number;
  readonly output: string;
}

/** An install that has not finished after this long is stuck, and counts as a failure. */
const installTimeoutMs = 15 * 60 * 1000;

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  onOutput: (output: string) => void = () => undefined,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => {
      output += `\nnpm error ETIMEDOUT: ${command} ${args.join(" ")} still running after ${installTimeoutMs / 60000} minutes`;
      child.kill("SIGKILL");
    }, installTimeoutMs);
    const append = (chunk: Buffer) => {
      output += chunk.toString();
      onOutput(output);
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    child.on("error", (error) => resolve({ code: -1, output: `${output}${error.message}` }));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/** The posix `run:` of one hook of one service in azure.yaml (the file this repository deploys with). */
export function posixHook(azureYaml: string, service: string, hook: string): string | undefined {
  const block = new RegExp(`^ {2}${service}:\\s*\\n((?: {4,}.*\\n|\\s*\\n)*)`, "m").exec(azureYaml)?.[1] ?? "";
  const hookBlock = new RegExp(`^ {6}${hook}:\\s*\\n((?: {8,}.*\\n)*)`, "m").exec(block)?.[1] ?? "";
  return / {8}posix:\s*\n(?: {10,}.*\n)*? {10}run: (.*)\n/.exec(hookBlock)?.[1]?.trim();
}

export type Arm = "hooks" | "control";

/**
 * When azd's install of portal/ starts: with the root install, as azd starts both services' restores, or at the
 * moment the root install runs its postinstall, the worst case, when the old postinstall's own install of portal/
 * and azd's are sure to overlap.
 */
export type Timing = "together" | "at-postinstall";

export interface CopyResult {
  readonly arm: Arm;
  readonly copy: number;
  readonly failed: boolean;
  /** The first npm error line of a failed install, or why the result is incomplete. */
  readonly reason: string;
}

function firstError(output: string): string {
  return output.split("\n").find((line) => /npm (error|ERR!)/.test(line) && /E[A-Z]{3,}/.test(line)) ?? "";
}

/** One fresh clone, the two installs at once as azd runs them, and whether both trees came out whole. */
async function raceOnce(source: string, arm: Arm, copy: number, timing: Timing): Promise<CopyResult> {
  const dir = mkdtempSync(path.join(tmpdir(), `install-race-${arm}-`));
  try {
    const clone = await run("git", ["clone", "--quiet", source, dir], tmpdir(), process.env);
    if (clone.code !== 0) return { arm, copy, failed: true, reason: `git clone: ${clone.output.trim()}` };
    // azd hands its environment's values to the commands it runs; AZURE_ENV_NAME is always among them.
    const env = { ...process.env, AZURE_ENV_NAME: "install-race" };
    const azureYaml = readFileSync(path.join(dir, "azure.yaml"), "utf8");
    const prerestore = arm === "hooks" ? posixHook(azureYaml, "api", "prerestore") : undefined;
    const postrestore = arm === "hooks" ? posixHook(azureYaml, "api", "postrestore") : undefined;
    if (arm === "hooks" && (prerestore === undefined || postrestore === undefined)) {
      return { arm, copy, failed: true, reason: "azure.yaml has no api prerestore/postrestore posix hook" };
    }
    if (arm === "control") {
      const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      };
      manifest.scripts.postinstall = racingPostinstall;
      writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    }

    let postinstallStarted: () => void = () => undefined;
    const seen = { postinstall: false };
    const atPostinstall = new Promise<void>((resolve) => (postinstallStarted = resolve));
    const api = async (): Promise<RunResult> => {
      if (prerestore !== undefined) {
        const hook = await run("sh", ["-c", prerestore], dir, env);
        if (hook.code !== 0) return hook;
      }
      // npm prints "> app-passwords@<version> postinstall" as it starts the root's own postinstall.
      const install = await run("npm", azdInstall, dir, env, (output) => {
        if (/^> \S+ postinstall$/m.test(output)) {
          seen.postinstall = true;
          postinstallStarted();
        }
      });
      postinstallStarted();
      if (install.code !== 0 || postrestore === undefined) return install;
      const hook = await run("sh", ["-c", postrestore], dir, env);
      return { code: hook.code, output: install.output + hook.output };
    };
    const web = async (): Promise<RunResult> => {
      if (timing === "at-postinstall") await atPostinstall;
      return run("npm", azdInstall, path.join(dir, "portal"), env);
    };
    const [root, portal] = await Promise.all([api(), web()]);

    const failures = [
      ...(timing === "at-postinstall" && !seen.postinstall ? ["the root install never started its postinstall"] : []),
      ...(root.code !== 0 ? [`root install exited ${root.code} ${firstError(root.output)}`] : []),
      ...(portal.code !== 0 ? [`portal install exited ${portal.code} ${firstError(portal.output)}`] : []),
    ];
    if (failures.length === 0) {
      // Both exited 0: the trees must be whole too (a lost race can also leave a package half written).
      const rootTree = await run("npm", ["ls", "--depth=0"], dir, env);
      const portalTree = await run("npm", ["ls", "--depth=0"], path.join(dir, "portal"), env);
      if (rootTree.code !== 0) failures.push("root tree incomplete (npm ls)");
      if (portalTree.code !== 0) failures.push("portal tree incomplete (npm ls)");
    }
    return { arm, copy, failed: failures.length > 0, reason: failures.join("; ") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A plain `npm install` on a fresh clone, outside azd, still installs the page. */
async function plainInstallInstallsPortal(source: string): Promise<boolean> {
  const dir = mkdtempSync(path.join(tmpdir(), "install-race-plain-"));
  try {
    const env = { ...process.env };
    delete env.AZURE_ENV_NAME;
    if ((await run("git", ["clone", "--quiet", source, dir], tmpdir(), env)).code !== 0) return false;
    const install = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], dir, env);
    return install.code === 0 && existsSync(path.join(dir, "portal", "node_modules", "vite", "package.json"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs both arms on `copies` fresh clones each, one clone at a time, and the plain-install check. */
export async function installRace(
  source: string,
  copies: number,
  timing: Timing,
  log: (line: string) => void,
): Promise<{ results: CopyResult[]; plainInstallsPortal: boolean }> {
  const results: CopyResult[] = [];
  for (const arm of ["hooks", "control"] as const) {
    for (let copy = 1; copy <= copies; copy++) {
      const result = await raceOnce(source, arm, copy, timing);
      results.push(result);
      log(`${new Date().toISOString()} ${arm} ${copy}/${copies}: ${result.failed ? `FAILED ${result.reason}` : "ok"}`);
    }
  }
  const plainInstallsPortal = await plainInstallInstallsPortal(source);
  log(`plain npm install on a fresh clone installs portal/: ${plainInstallsPortal ? "yes" : "NO"}`);
  return { results, plainInstallsPortal };
}

if (require.main === module) {
  const copies = Number(process.argv[2] ?? "10");
  const timing: Timing = process.argv[3] === "at-postinstall" ? "at-postinstall" : "together";
  // The committed state of this repository: a clone is what a fresh checkout holds.
  const source = path.resolve(__dirname, "..", "..");
  console.log(
    `${copies} fresh clones per arm, azd's portal install started ${timing === "together" ? "with the root install" : "at the root postinstall"}`,
  );
  void installRace(source, copies, timing, (line) => console.log(line)).then(({ results, plainInstallsPortal }) => {
    const failedIn = (arm: Arm) => results.filter((r) => r.arm === arm && r.failed).length;
    console.log(
      `hooks: ${failedIn("hooks")} of ${copies} failed; control (old postinstall): ${failedIn("control")} of ${copies} failed`,
    );
    process.exitCode = failedIn("hooks") === 0 && plainInstallsPortal ? 0 : 1;
  });
}

import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import AdmZip from "adm-zip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionAppFiles } from "../../dev/packageFunctionApp";
import { repoRoot } from "../infra/parseBicep";

// The platform's remote build (Oryx) runs `npm install` (which fetches from the npm registry) and `npm run build`
// in the unpacked zip; on a busy machine that takes minutes.
const BUILD_TIMEOUT_MS = 20 * 60_000;

interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      // npm is npm.cmd on Windows, which only a shell starts.
      { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: BUILD_TIMEOUT_MS, shell: process.platform === "win32" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(" ")} failed in ${cwd}: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/**
 * The environment for a clean npm, as the platform runs it: without vitest's NODE_ENV=test, and without what an
 * outer `npm test` sets for its own project (its prefix would send the nested npm to this repository).
 */
function npmEnv(): NodeJS.ProcessEnv {
  const outerProject = /^(npm_(lifecycle|package|command|config_local_prefix|config_prefix)|INIT_CWD$)/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== "NODE_ENV" && !outerProject.test(name)),
  );
}

/** App settings as infra/app/api.bicep writes them in Azure: a table endpoint and managed identity, no connection string. */
const azureSettings = {
  FUNCTIONS_WORKER_RUNTIME: "node",
  AzureWebJobsStorage__credential: "managedidentity",
  AzureWebJobsStorage__clientId: "11111111-2222-3333-4444-555555555555",
  AzureWebJobsStorage__blobServiceUri: "https://stexample.blob.core.windows.net/",
  AzureWebJobsStorage__queueServiceUri: "https://stexample.queue.core.windows.net/",
  AzureWebJobsStorage__tableServiceUri: "https://stexample.table.core.windows.net/",
  UV_THREADPOOL_SIZE: "2",
  AZURE_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
  APP_PASSWORDS_TABLE_ENDPOINT: "https://stexample.table.core.windows.net/",
  APP_PASSWORDS_TABLE_NAME: "AppPasswords",
  AUTH_ISSUER:
    "https://login.microsoftonline.com/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/v2.0,https://sts.windows.net/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/",
  AUTH_AUDIENCE: "api://99999999-8888-7777-6666-555555555555,99999999-8888-7777-6666-555555555555",
  AUTH_JWKS_URI: "https://login.microsoftonline.com/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/discovery/v2.0/keys",
  AUTH_REQUIRED_SCOPE: "AppPasswords.Manage",
  APP_PASSWORDS_THROTTLE_KEY: "a throttle key as azd generates one, 48 chars..",
  APP_PASSWORDS_ALLOWED: "true",
  APP_PASSWORDS_MAX_PER_USER: "40",
  ARGON2_MEMORY_KIB: "19456",
  ARGON2_TIME_COST: "2",
  ARGON2_PARALLELISM: "1",
  STORAGE_TIMEOUT_MS: "2000",
};

/**
 * Run with node in the built package: loads every file the host would (package.json `main`), records what each
 * registers with `app`, wires the services from the Azure settings and hashes with argon2's native binding.
 */
const loadFunctions = `
const fs = require("node:fs");
const path = require("node:path");
const { app } = require("@azure/functions");
const registered = new Set();
for (const [name, value] of Object.entries(app)) {
  if (typeof value !== "function" || name === "setup") continue;
  app[name] = (functionName, ...rest) => {
    if (typeof functionName === "string") registered.add(functionName);
    return value.call(app, functionName, ...rest);
  };
}
const main = JSON.parse(fs.readFileSync("package.json", "utf8")).main;
if (main !== "dist/{index.js,functions/*.js}") throw new Error("package.json main is " + main);
require(path.resolve("dist", "index.js"));
const dir = path.resolve("dist", "functions");
const files = fs.readdirSync(dir).filter((file) => file.endsWith(".js")).sort();
for (const file of files) require(path.join(dir, file));
require(path.resolve("dist", "shared", "services.js")).getServices();
const argon2 = require("@node-rs/argon2");
argon2.hash("correct horse battery staple").then(async (hash) => {
  process.stdout.write(JSON.stringify({
    files,
    registered: [...registered].sort(),
    argon2Verifies: await argon2.verify(hash, "correct horse battery staple"),
    resolved: ["@azure/functions", "@node-rs/argon2", "@azure/data-tables", "@azure/identity"].map((id) => require.resolve(id)),
    loadedPackages: [...new Set(Object.keys(require.cache).flatMap((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1] ?? []))],
  }));
});
`;

describe("npm run package", () => {
  let work: string;
  let zipPath: string;
  let entries: string[];
  let wwwroot: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "app-passwords-package-"));
    const { stdout } = await run("npm", ["run", "package"], repoRoot, npmEnv());
    zipPath = stdout.trimEnd().split("\n").at(-1) ?? "";
    entries = new AdmZip(zipPath)
      .getEntries()
      .filter((entry) => !entry.isDirectory)
      .map((entry) => entry.entryName)
      .sort();
    wwwroot = path.join(work, "wwwroot");
    new AdmZip(zipPath).extractAllTo(wwwroot);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("prints the path of the zip it wrote on its last line", () => {
    expect(path.isAbsolute(zipPath)).toBe(true);
    expect(existsSync(zipPath)).toBe(true);
  });

  it("zips exactly the files that .funcignore leaves, as azd does", () => {
    expect(entries).toEqual(functionAppFiles(repoRoot));
  });

  it("holds the sources and what builds them, nothing else, for a remote build", () => {
    expect([...new Set(entries.map((entry) => entry.split("/")[0]))].sort()).toEqual([
      "functions",
      "host.json",
      "index.ts",
      "package-lock.json",
      "package.json",
      "shared",
      "tsconfig.build.json",
      "tsconfig.json",
    ]);
    const functionSources = readdirSync(path.join(repoRoot, "functions")).filter((file) => file.endsWith(".ts"));
    expect(functionSources.length).toBeGreaterThan(0);
    expect(entries).toEqual(expect.arrayContaining(functionSources.map((file) => `functions/${file}`)));
  });

  it("holds nothing from dev/, bench/, test/, portal/, gateways/ or infra/, and nothing installed or built", () => {
    const excluded = /^(dev|bench|test|portal|gateways|infra|scripts|node_modules|dist)\/|(^|\/)node_modules\//;
    expect(entries.filter((entry) => excluded.test(entry))).toEqual([]);
    expect(entries.filter((entry) => /(^|\/)local\.settings\.json$|\.azure\//.test(entry))).toEqual([]);
  });

  it(
    "builds in a clean folder as the platform does and loads every function with production dependencies and Azure settings",
    async () => {
      // What Oryx does with a remote build: install everything, run the build script...
      await run("npm", ["install", "--no-audit", "--no-fund"], wwwroot, npmEnv());
      await run("npm", ["run", "build"], wwwroot, npmEnv());
      // ...and what runs is production dependencies only: anything the functions import from a dev dependency fails here.
      await run("npm", ["prune", "--omit=dev", "--no-audit", "--no-fund"], wwwroot, npmEnv());
      expect(existsSync(path.join(wwwroot, "node_modules", "typescript"))).toBe(false);
      expect(existsSync(path.join(wwwroot, "node_modules", "vitest"))).toBe(false);

      const env = { PATH: process.env.PATH ?? "", HOME: wwwroot, ...azureSettings };
      const { stdout } = await run(process.execPath, ["-e", loadFunctions], wwwroot, env);
      const loaded = JSON.parse(stdout) as {
        files: string[];
        registered: string[];
        argon2Verifies: boolean;
        resolved: string[];
        loadedPackages: string[];
      };

      const functionNames = readdirSync(path.join(repoRoot, "functions"))
        .filter((file) => file.endsWith(".ts"))
        .map((file) => file.replace(/\.ts$/, ""))
        .sort();
      expect(loaded.files).toEqual(functionNames.map((name) => `${name}.js`));
      expect(loaded.registered).toEqual(functionNames);
      expect(loaded.argon2Verifies).toBe(true);
      // What only notices need is loaded at the first notice, not at every start (the first verify waits for it).
      expect(loaded.loadedPackages).toContain("@azure/data-tables");
      const notices = ["@azure/storage-queue", "nodemailer", "@azure/communication-email"];
      expect(loaded.loadedPackages.filter((name) => notices.includes(name))).toEqual([]);
      expect(loaded.resolved.filter((resolved) => !resolved.startsWith(path.join(wwwroot, "node_modules")))).toEqual(
        [],
      );
    },
    BUILD_TIMEOUT_MS,
  );
});

describe("functionAppFiles", () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "app-passwords-funcignore-"));
    const files = [
      "host.json",
      "functions/a.ts",
      "dist/functions/a.js",
      "dist/dev/start.js",
      "node_modules/x/index.js",
      "src/node_modules/y/index.js",
      "notes.md",
      "docs/keep.md",
      "build/out.js",
    ];
    for (const file of files) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), "x");
    }
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("reads .funcignore with gitignore rules: directory patterns at any depth, the last match wins", async () => {
    const rules = ["node_modules/", "dist/", "*.md", "!docs/keep.md", "build", "# a comment", ""];
    await writeFile(path.join(root, ".funcignore"), rules.join("\n"));
    expect(functionAppFiles(root)).toEqual([".funcignore", "docs/keep.md", "functions/a.ts", "host.json"]);
  });

  it("keeps an excluded directory's files out even when a later pattern names them, as git does", async () => {
    // And the other way round, the old .funcignore's defect: `!dist/**` after `dist/dev/` re-included dist/dev/.
    await writeFile(path.join(root, ".funcignore"), ["dist/", "!dist/functions/a.js"].join("\n"));
    expect(functionAppFiles(root).filter((file) => file.startsWith("dist/"))).toEqual([]);
    await writeFile(path.join(root, ".funcignore"), ["dist/dev/", "!dist/**"].join("\n"));
    expect(functionAppFiles(root).filter((file) => file.startsWith("dist/"))).toEqual([
      "dist/dev/start.js",
      "dist/functions/a.js",
    ]);
  });

  it("leaves out only node_modules when there is no .funcignore, as azd does", async () => {
    await rm(path.join(root, ".funcignore"));
    const files = functionAppFiles(root);
    expect(files.filter((file) => file.includes("node_modules/"))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(["build/out.js", "dist/dev/start.js", "notes.md"]));
  });
});

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import AdmZip from "adm-zip";
import ignore from "ignore";

/** The ignore file azd applies to a function app service, with gitignore rules. */
export const FUNCIGNORE = ".funcignore";

/** What azd leaves out of a Node.js service's zip when it has no ignore file. */
const DEFAULT_EXCLUSIONS = "node_modules/";

/**
 * The files, relative to `root` with forward slashes and sorted, that azd zips for the function app: every file
 * under `root` that `.funcignore` does not exclude. Read with gitignore rules (the `ignore` package, as azd reads
 * it): the last matching pattern wins, a trailing `/` matches directories only, and nothing under an excluded
 * directory comes back.
 */
export function functionAppFiles(root: string): string[] {
  const funcignore = path.join(root, FUNCIGNORE);
  const rules = ignore().add(existsSync(funcignore) ? readFileSync(funcignore, "utf8") : DEFAULT_EXCLUSIONS);
  const files: string[] = [];
  const walk = (relativeDir: string): void => {
    const entries = readdirSync(path.join(root, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      // Follows symbolic links as azd's directory walk does; a link to a directory is walked as one.
      const isDirectory =
        entry.isDirectory() || (entry.isSymbolicLink() && statSync(path.join(root, relative)).isDirectory());
      if (rules.ignores(isDirectory ? `${relative}/` : relative)) continue;
      if (isDirectory) walk(relative);
      else files.push(relative);
    }
  };
  walk("");
  return files.sort();
}

export interface FunctionAppPackage {
  /** Absolute path of the zip. */
  readonly zipPath: string;
  /** What it holds, as `functionAppFiles` lists it. */
  readonly files: string[];
}

/** Writes the zip that `azd deploy` uploads for the function app (remote build: sources, no node_modules). */
export async function packageFunctionApp(root: string, zipPath: string): Promise<FunctionAppPackage> {
  const files = functionAppFiles(root);
  const zip = new AdmZip();
  for (const file of files) {
    zip.addLocalFile(path.join(root, file), path.posix.dirname(file) === "." ? "" : path.posix.dirname(file));
  }
  await mkdir(path.dirname(zipPath), { recursive: true });
  await zip.writeZipPromise(zipPath, { overwrite: true });
  return { zipPath: path.resolve(zipPath), files };
}

/** `npm run package`: writes dist/app-passwords-api.zip and prints its path on the last line. */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..");
  // dist/ is in .funcignore, so a package written there never ends up inside the next one.
  const { zipPath, files } = await packageFunctionApp(root, path.join(root, "dist", "app-passwords-api.zip"));
  const topLevel = [...new Set(files.map((file) => file.split("/")[0] ?? file))];
  console.log(`Packaged ${files.length} files for a remote build (${topLevel.join(", ")}):`);
  console.log(zipPath);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

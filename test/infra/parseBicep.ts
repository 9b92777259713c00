import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";

/** Root of the repository, whatever directory the tests run from. */
export const repoRoot = path.resolve(__dirname, "..", "..");
export const infraDir = path.join(repoRoot, "infra");

const grammarWasm = path.join(repoRoot, "node_modules", "tree-sitter-bicep", "tree-sitter-bicep.wasm");

let parser: Promise<Parser> | undefined;

function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const instance = new Parser();
    instance.setLanguage(await Language.load(grammarWasm));
    return instance;
  })();
  return parser;
}

/** Parses Bicep source with the tree-sitter-bicep grammar. The tree is kept for the life of the test process. */
export async function parseBicep(source: string): Promise<Tree> {
  const tree = (await bicepParser()).parse(source);
  if (tree === null) throw new Error("tree-sitter returned no tree");
  return tree;
}

export interface SyntaxProblem {
  /** 1-based, as editors and compilers print them. */
  readonly line: number;
  readonly column: number;
  readonly kind: "ERROR" | "MISSING";
  readonly message: string;
}

/**
 * Every ERROR and MISSING node in a tree: tree-sitter never fails a parse, it recovers and marks what it had to
 * skip (ERROR) or invent (MISSING), so these nodes are the syntax errors.
 */
export function syntaxProblems(tree: Tree): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  const visit = (node: Node): void => {
    const { row, column } = node.startPosition;
    if (node.isMissing) {
      problems.push({
        line: row + 1,
        column: column + 1,
        kind: "MISSING",
        message: `${JSON.stringify(node.type)} expected`,
      });
    } else if (node.isError) {
      const text = node.text.split("\n", 1)[0] ?? "";
      problems.push({
        line: row + 1,
        column: column + 1,
        kind: "ERROR",
        message: `unexpected ${JSON.stringify(text)}`,
      });
    }
    for (const child of node.children) visit(child);
  };
  visit(tree.rootNode);
  if (problems.length === 0 && tree.rootNode.hasError) {
    problems.push({ line: 1, column: 1, kind: "ERROR", message: "the parser flagged an error it did not locate" });
  }
  return problems;
}

export function formatProblem(file: string, problem: SyntaxProblem): string {
  return `${file}:${problem.line}:${problem.column}: ${problem.kind} ${problem.message}`;
}

export interface BicepFile {
  /** Path relative to the repository root, with forward slashes. */
  readonly name: string;
  readonly source: string;
  readonly root: Node;
  readonly problems: SyntaxProblem[];
}

/** Paths of every `.bicep` file under `infra/`, relative to the repository root, sorted. */
export function bicepPaths(dir: string = infraDir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return bicepPaths(full);
      return entry.isFile() && entry.name.endsWith(".bicep")
        ? [path.relative(repoRoot, full).split(path.sep).join("/")]
        : [];
    })
    .sort();
}

let bicepFiles: Promise<BicepFile[]> | undefined;

/** Reads and parses every `.bicep` file under `infra/`, once per test file. */
export function loadBicepFiles(): Promise<BicepFile[]> {
  bicepFiles ??= Promise.all(
    bicepPaths().map(async (name) => {
      const source = readFileSync(path.join(repoRoot, name), "utf8");
      const tree = await parseBicep(source);
      return { name, source, root: tree.rootNode, problems: syntaxProblems(tree) };
    }),
  );
  return bicepFiles;
}

/** One parsed file by its repository-relative name. */
export async function loadBicepFile(name: string): Promise<BicepFile> {
  const file = (await loadBicepFiles()).find((candidate) => candidate.name === name);
  if (file === undefined) throw new Error(`${name} does not exist`);
  return file;
}

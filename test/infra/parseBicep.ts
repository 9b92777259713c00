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

/**
 * `extension <alias>`, Bicep's statement that brings in an extension's resource types (the Microsoft Graph types
 * among them) under an alias that bicepconfig.json defines. tree-sitter-bicep 1.1 predates it and reads it as an
 * ERROR, so the statement is recognised here. Only the alias form: a registry reference written in the file
 * (`extension 'br:...' as x`) is left to the grammar, which reports it, since the alias lives in bicepconfig.json.
 */
const extensionStatement = /^extension[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?=\r?\n|$)/gm;

export interface ExtensionStatement {
  readonly alias: string;
  /** 1-based. */
  readonly line: number;
}

/** The `extension <alias>` statements of a Bicep source, in order. */
export function extensionStatements(source: string): ExtensionStatement[] {
  return [...source.matchAll(extensionStatement)].map((match) => ({
    alias: match[1] ?? "",
    line: source.slice(0, match.index).split("\n").length,
  }));
}

/**
 * Parses Bicep source with the tree-sitter-bicep grammar. `extension <alias>` statements are blanked to spaces
 * first (same length, so every line and column stays where it was); read them with extensionStatements(). The
 * tree is kept for the life of the test process.
 */
export async function parseBicep(source: string): Promise<Tree> {
  const tree = (await bicepParser()).parse(
    source.replace(extensionStatement, (statement) => " ".repeat(statement.length)),
  );
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
  readonly extensions: ExtensionStatement[];
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
      return {
        name,
        source,
        root: tree.rootNode,
        problems: syntaxProblems(tree),
        extensions: extensionStatements(source),
      };
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

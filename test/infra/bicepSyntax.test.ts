import { describe, expect, it } from "vitest";
import {
  bicepPaths,
  extensionStatements,
  formatProblem,
  loadBicepFile,
  parseBicep,
  syntaxProblems,
} from "./parseBicep";

async function problemsIn(source: string): Promise<string[]> {
  return syntaxProblems(await parseBicep(source)).map((problem) => formatProblem("snippet.bicep", problem));
}

describe("the Bicep syntax checker", () => {
  it("reports nothing for valid Bicep", async () => {
    const source = ["param name string", "resource s 'Microsoft.Web/sites@2024-04-01' = {", "  name: name", "}", ""];
    expect(await problemsIn(source.join("\n"))).toEqual([]);
  });

  it("reports an unclosed object as MISSING with its line and column", async () => {
    const source = ["param name string", "resource s 'Microsoft.Web/sites@2024-04-01' = {", "  name: name", ""];
    expect(await problemsIn(source.join("\n"))).toEqual(['snippet.bicep:3:13: MISSING "}" expected']);
  });

  it("reports a stray token as ERROR with its line and column", async () => {
    const source = ["resource s 'Microsoft.Web/sites@2024-04-01' = {", "  name: 'a' 'b'", "}", ""];
    expect(await problemsIn(source.join("\n"))).toEqual([`snippet.bicep:2:13: ERROR unexpected "'b'"`]);
  });

  it("reads `extension <alias>` (which the grammar does not know) and keeps later positions where they are", async () => {
    const source = [
      "// Graph types",
      "extension microsoftGraphV1",
      "",
      "resource s 'Microsoft.Web/sites@2024-04-01' = {",
    ];
    source.push("  name: 'a' 'b'", "}", "");
    expect(await problemsIn(source.join("\n"))).toEqual([`snippet.bicep:5:13: ERROR unexpected "'b'"`]);
    expect(extensionStatements(source.join("\n"))).toEqual([{ alias: "microsoftGraphV1", line: 2 }]);
  });

  it("still reports an extension statement in another form, or a misspelt one", async () => {
    expect(
      await problemsIn("extension 'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0' as g\n"),
    ).toEqual([expect.stringMatching(/^snippet\.bicep:1:1: ERROR /)]);
    expect(await problemsIn("extension microsoftGraphV1 extra\n")).toEqual([
      expect.stringMatching(/^snippet\.bicep:1:1: ERROR /),
    ]);
    expect(await problemsIn("extensions microsoftGraphV1\n")).toEqual([
      expect.stringMatching(/^snippet\.bicep:1:1: ERROR /),
    ]);
    expect(extensionStatements("  extension microsoftGraphV1\nextension a b\n")).toEqual([]);
  });

  it("reports a declaration it cannot make sense of", async () => {
    const problems = await problemsIn("param a string =\nvar = 3\n");
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^snippet\.bicep:\d+:\d+: ERROR /);
  });
});

describe("infra/*.bicep", () => {
  it("holds main.bicep and its modules", () => {
    expect(bicepPaths()).toEqual(
      expect.arrayContaining([
        "infra/main.bicep",
        "infra/app/api.bicep",
        "infra/app/entra.bicep",
        "infra/app/rbac.bicep",
        "infra/app/storage.bicep",
      ]),
    );
  });

  it.each(bicepPaths())("%s parses without ERROR or MISSING nodes", async (name) => {
    const file = await loadBicepFile(name);
    expect(file.problems.map((problem) => formatProblem(name, problem))).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { bicepPaths, formatProblem, loadBicepFile, parseBicep, syntaxProblems } from "./parseBicep";

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

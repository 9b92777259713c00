import { readFileSync } from "node:fs";
import path from "node:path";
import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import { mailSettingNames } from "../../dev/mailSettings";
import { localOnlySettingNames } from "../../shared/adapters/config";
import {
  assignedValue,
  declarationBody,
  declarationName,
  declarations,
  declaredTarget,
  objectProperties,
  propertyAt,
} from "./bicepNodes";
import { loadBicepFile, loadBicepFiles, repoRoot, type BicepFile } from "./parseBicep";

// Every setting README's Configuration table documents reaches the function app from an azd environment value:
// infra/main.parameters.json maps the value onto a main.bicep parameter, main.bicep hands it (through variables and
// modules) to infra/app/api.bicep, and api.bicep writes it into the app setting. Without that path an operator can
// set it only in the Azure portal, and the next `azd provision` undoes the change.

/**
 * Settings the deployment writes from what it creates, not from a value the operator chooses. Each needs a reason;
 * the README says "set by the deployment" for them.
 */
const setByTheDeployment: Readonly<Record<string, string>> = {
  APP_PASSWORDS_TABLE_ENDPOINT: "the endpoint of the storage account the deployment creates",
  AZURE_CLIENT_ID: "the client id of the managed identity the deployment creates",
  NOTICES_QUEUE_ENDPOINT: "the queue endpoint of the storage account the deployment creates",
  NOTICES_EMAIL_ENDPOINT: "the endpoint of the Communication Services the deployment creates",
  NOTICES_FROM: "the sender address of the Email domain the deployment creates",
  APP_PASSWORDS_PORTAL_URL: "the origin of the Static Web App the deployment creates",
};

interface SettingsRow {
  readonly settings: string[];
  /** The backticked azd environment values in the row's "azd environment value" cell. */
  readonly envValues: string[];
  readonly cell: string;
}

function readmeSettingsRows(): SettingsRow[] {
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? "";
  const lines = section.split("\n").filter((line) => line.startsWith("|"));
  const header = lines[0]?.split("|").map((cell) => cell.trim()) ?? [];
  const settingColumn = header.indexOf("setting");
  const azdColumn = header.indexOf("azd environment value");
  if (settingColumn === -1 || azdColumn === -1) throw new Error("README's settings table has no azd column");
  const names = (cell: string) => [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!);
  return lines.slice(2).map((line) => {
    const cells = line.split("|").map((cell) => cell.trim());
    return {
      settings: names(cells[settingColumn] ?? ""),
      envValues: names(cells[azdColumn] ?? ""),
      cell: cells[azdColumn] ?? "",
    };
  });
}

/** azd environment value names by main.bicep parameter, from the `${NAME}` / `${NAME=default}` placeholders. */
function parameterEnvValues(): Map<string, string[]> {
  const file = JSON.parse(readFileSync(path.join(repoRoot, "infra", "main.parameters.json"), "utf8")) as {
    parameters: Record<string, { value: unknown }>;
  };
  return new Map(
    Object.entries(file.parameters).map(([param, { value }]) => [
      param,
      [...JSON.stringify(value).matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!),
    ]),
  );
}

interface Scope {
  readonly file: BicepFile;
  /** The expression the caller passes for a module parameter, in the caller's scope; none for main.bicep. */
  readonly passed: (param: string) => { scope: Scope; value: Node } | undefined;
}

const named = (root: Node, type: "parameter_declaration" | "variable_declaration" | "module_declaration") =>
  new Map(declarations(root, type).map((declaration) => [declarationName(declaration), declaration]));

/**
 * The azd environment values an expression is computed from, following parameters up to main.parameters.json,
 * variables to their values, `module.outputs.x` into the module's output, and a resource symbol to its body. It
 * reads every identifier, so it may find more values than the expression really depends on, never fewer.
 */
function envValuesOf(scope: Scope, value: Node, files: BicepFile[], seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  const params = named(scope.file.root, "parameter_declaration");
  const variables = named(scope.file.root, "variable_declaration");
  const modules = named(scope.file.root, "module_declaration");
  const resources = new Map(
    scope.file.root
      .descendantsOfType("resource_declaration")
      .map((declaration) => [declarationName(declaration), declaration]),
  );
  const identifiers = value.type === "identifier" ? [value] : value.descendantsOfType("identifier");
  const add = (more: Set<string>) => more.forEach((name) => found.add(name));
  for (const identifier of identifiers) {
    const name = identifier.text;
    const key = `${scope.file.name}:${name}:${identifier.startIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (params.has(name)) {
      if (scope.file.name === "infra/main.bicep") {
        (parameterEnvValues().get(name) ?? []).forEach((env) => found.add(env));
      } else {
        const passed = scope.passed(name);
        if (passed !== undefined) add(envValuesOf(passed.scope, passed.value, files, seen));
      }
    } else if (variables.has(name)) {
      const assigned = assignedValue(variables.get(name)!);
      if (assigned !== undefined) add(envValuesOf(scope, assigned, files, seen));
    } else if (modules.has(name)) {
      const module = modules.get(name)!;
      const target = path.posix.join(path.posix.dirname(scope.file.name), declaredTarget(module));
      const moduleFile = files.find((file) => file.name === target);
      const access = identifier.parent?.parent;
      const output = access?.type === "member_expression" ? access.childForFieldName("property")?.text : undefined;
      const outputDeclaration =
        moduleFile && declarations(moduleFile.root, "output_declaration").find((o) => declarationName(o) === output);
      const outputValue = outputDeclaration && assignedValue(outputDeclaration);
      if (moduleFile === undefined || outputValue === undefined) continue;
      const moduleParams = propertyAt(declarationBody(module), "params");
      const moduleScope: Scope = {
        file: moduleFile,
        passed: (param) => {
          const passedValue = moduleParams && objectProperties(moduleParams).find((p) => p.key === param)?.value;
          return passedValue === undefined ? undefined : { scope, value: passedValue };
        },
      };
      add(envValuesOf(moduleScope, outputValue, files, seen));
    } else if (resources.has(name)) {
      // The whole body: a property of the resource (a secret's value, a table's name) may be what is read.
      const body = declarationBody(resources.get(name)!);
      if (body !== undefined) add(envValuesOf(scope, body, files, seen));
    }
  }
  return found;
}

/** The azd environment values each app setting in api.bicep is computed from. */
async function settingEnvValues(): Promise<Map<string, Set<string>>> {
  const files = await loadBicepFiles();
  const main = await loadBicepFile("infra/main.bicep");
  const api = await loadBicepFile("infra/app/api.bicep");
  const apiModule = declarations(main.root, "module_declaration").find((m) => declaredTarget(m) === "app/api.bicep");
  const apiParams = propertyAt(declarationBody(apiModule!), "params");
  const mainScope: Scope = { file: main, passed: () => undefined };
  const apiScope: Scope = {
    file: api,
    passed: (param) => {
      const value = apiParams && objectProperties(apiParams).find((p) => p.key === param)?.value;
      return value === undefined ? undefined : { scope: mainScope, value };
    },
  };
  const appSettings = api.root
    .descendantsOfType("resource_declaration")
    .map((declaration) => declarationBody(declaration))
    .find((body) => body !== undefined && propertyAt(body, "name")?.text === "'appsettings'");
  const properties = propertyAt(appSettings, "properties");
  if (properties === undefined) throw new Error("infra/app/api.bicep declares no appsettings");
  const reached = new Map(
    objectProperties(properties).map(({ key, value }) => [key, envValuesOf(apiScope, value, files)]),
  );
  // The mail settings are the page's: main.bicep hands each out as the output PORTAL_<setting>, which the web service's
  // predeploy hook writes into the page's config.json (dev/writePortalConfig.ts), not into the function app.
  const outputs = new Map(declarations(main.root, "output_declaration").map((o) => [declarationName(o), o]));
  for (const setting of mailSettingNames) {
    const output = outputs.get(`PORTAL_${setting}`);
    const value = output && assignedValue(output);
    if (value !== undefined) reached.set(setting, envValuesOf(mainScope, value, files));
  }
  return reached;
}

describe("README's settings", () => {
  it("are found in the Configuration table, each with its azd column", () => {
    const rows = readmeSettingsRows();
    expect(rows.flatMap((row) => row.settings)).toEqual(
      expect.arrayContaining(["APP_PASSWORDS_MAX_LIFETIME_DAYS", "ARGON2_MEMORY_KIB", "STORAGE_TIMEOUT_MS"]),
    );
    expect(rows.filter((row) => row.settings.length === 0)).toEqual([]);
  });

  it("each reach the function app from the azd environment value the README names", async () => {
    const reached = await settingEnvValues();
    const problems = readmeSettingsRows().flatMap((row) =>
      row.settings.flatMap((setting, index) => {
        if (localOnlySettingNames.includes(setting)) {
          return row.envValues.length > 0 || reached.has(setting)
            ? [`${setting} is local only, yet the README or api.bicep gives it an azd mapping`]
            : [];
        }
        if (!reached.has(setting)) return [`${setting} is not an app setting in infra/app/api.bicep`];
        if (row.envValues.length === 0) {
          return setByTheDeployment[setting] !== undefined && /set by the deployment/.test(row.cell)
            ? []
            : [`${setting} has no azd environment value in README, and is not one the deployment sets`];
        }
        // `A` / `B` / `C` beside three settings pair up; otherwise every named value feeds every setting of the row.
        const expected =
          row.envValues.length === row.settings.length && row.settings.length > 1
            ? [row.envValues[index]!]
            : row.envValues;
        const from = reached.get(setting)!;
        return expected
          .filter((env) => !from.has(env))
          .map((env) => `${setting} does not come from ${env} (it comes from ${[...from].join(", ") || "nothing"})`);
      }),
    );
    expect(problems).toEqual([]);
  });

  it("that the operator chooses come from the azd environment value of the same name", async () => {
    const reached = await settingEnvValues();
    const derived = ["AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_JWKS_URI", ...Object.keys(setByTheDeployment)];
    const chosen = readmeSettingsRows()
      .flatMap((row) => row.settings)
      .filter((setting) => !localOnlySettingNames.includes(setting) && !derived.includes(setting));
    expect(chosen.length).toBeGreaterThan(10);
    expect(chosen.filter((setting) => !reached.get(setting)?.has(setting))).toEqual([]);
  });

  it("are every setting of the service that api.bicep writes (no undocumented tunable)", async () => {
    const documented = readmeSettingsRows().flatMap((row) => row.settings);
    const reached = await settingEnvValues();
    const tunable = [...reached.entries()].filter(([setting, from]) => from.has(setting)).map(([setting]) => setting);
    expect(tunable.filter((setting) => !documented.includes(setting))).toEqual([]);
  });
});

describe("the mapping checker", () => {
  it("finds no azd value for a literal, and the value behind a parameter, a variable and a module output", async () => {
    const reached = await settingEnvValues();
    // Literal in api.bicep: nothing an operator can set.
    expect([...(reached.get("UV_THREADPOOL_SIZE") ?? [])]).toEqual([]);
    // main.bicep param -> api param.
    expect([...(reached.get("ARGON2_TIME_COST") ?? [])]).toEqual(["ARGON2_TIME_COST"]);
    // main.bicep var (tenantId) -> var (authIssuers) -> api param.
    expect(reached.get("AUTH_ISSUER")).toContain("ENTRA_TENANT_ID");
    // storage.outputs.tableName -> storage.bicep's nested table resource's name -> its tableName param.
    expect(reached.get("APP_PASSWORDS_TABLE_NAME")).toContain("APP_PASSWORDS_TABLE_NAME");
  });
});

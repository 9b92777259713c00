import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../shared/adapters/config";
import {
  assignedValue,
  callArguments,
  declarationBody,
  declarationName,
  declarations,
  decorators,
  objectProperties,
  propertyAt,
} from "./bicepNodes";
import { loadBicepFile, type BicepFile } from "./parseBicep";

// A number the deployment accepts but the service rejects would only show up as a function app that fails to start,
// so every numeric setting's Bicep parameter must stay inside what shared/config.ts accepts.

interface NumericSetting {
  readonly setting: string;
  readonly param: string;
}

/** App settings written as `string(<param>)` in api.bicep: the numeric ones. */
async function numericSettings(): Promise<NumericSetting[]> {
  const api = await loadBicepFile("infra/app/api.bicep");
  const appSettings = api.root
    .descendantsOfType("resource_declaration")
    .map((declaration) => declarationBody(declaration))
    .find((body) => body !== undefined && propertyAt(body, "name")?.text === "'appsettings'");
  const properties = propertyAt(appSettings, "properties");
  if (properties === undefined) throw new Error("infra/app/api.bicep declares no appsettings");
  return objectProperties(properties).flatMap(({ key, value }) => {
    const isStringCall = value.type === "call_expression" && value.childForFieldName("function")?.text === "string";
    const [arg] = isStringCall ? callArguments(value) : [];
    return arg?.type === "identifier" ? [{ setting: key, param: arg.text }] : [];
  });
}

interface IntParam {
  readonly file: string;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly default: number | undefined;
}

function intParam(file: BicepFile, name: string): IntParam | undefined {
  const param = declarations(file.root, "parameter_declaration").find((p) => declarationName(p) === name);
  if (param === undefined) return undefined;
  const numberIn = (node: Node | undefined) => (node?.type === "number" ? Number(node.text) : undefined);
  const bound = (decorator: string) => numberIn(decorators(param).find((d) => d.name === decorator)?.args[0]);
  return { file: file.name, min: bound("minValue"), max: bound("maxValue"), default: numberIn(assignedValue(param)) };
}

function accepts(setting: string, value: number | undefined): boolean {
  const schema = (configSchema.shape as Record<string, { safeParse(input: unknown): { success: boolean } }>)[setting];
  return value !== undefined && schema !== undefined && schema.safeParse(String(value)).success;
}

describe("numeric settings", () => {
  it("are found in api.bicep", async () => {
    expect((await numericSettings()).map((s) => s.setting)).toEqual(
      expect.arrayContaining(["APP_PASSWORDS_MAX_PER_USER", "ARGON2_MEMORY_KIB", "STORAGE_TIMEOUT_MS"]),
    );
  });

  it("have Bicep bounds and defaults that shared/config.ts accepts", async () => {
    const files = [await loadBicepFile("infra/app/api.bicep"), await loadBicepFile("infra/main.bicep")];
    const problems = (await numericSettings()).flatMap(({ setting, param }) =>
      files.flatMap((file) => {
        const declared = intParam(file, param);
        if (declared === undefined) return [];
        return (["min", "max", "default"] as const)
          .filter((which) => !accepts(setting, declared[which]))
          .map((which) => `${file.name} ${param}: ${which} ${declared[which] ?? "(none)"} is not a valid ${setting}`);
      }),
    );
    expect(problems).toEqual([]);
  });
});

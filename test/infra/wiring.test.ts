import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import {
  assignedValue,
  declarationBody,
  declarationName,
  declarations,
  declaredTarget,
  decoratorNames,
  decorators,
  objectProperties,
  propertyAt,
  where,
} from "./bicepNodes";
import { loadBicepFile, loadBicepFiles, repoRoot } from "./parseBicep";

// What the Bicep compiler would check across files, done here because it cannot run offline.

interface DeclaredParam {
  readonly name: string;
  readonly required: boolean;
}

function declaredParams(root: Node): DeclaredParam[] {
  return declarations(root, "parameter_declaration").map((param) => {
    const type = param.namedChildren.find((node) => node.type === "type" || node.type === "nullable_type");
    const nullable = type?.type === "nullable_type" || (type?.text.endsWith("?") ?? false);
    return { name: declarationName(param), required: assignedValue(param) === undefined && !nullable };
  });
}

function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(path.join(repoRoot, relative), "utf8"));
}

describe("modules", () => {
  it("are passed exactly the parameters they declare, every required one included", async () => {
    const files = await loadBicepFiles();
    const problems = files.flatMap((file) =>
      declarations(file.root, "module_declaration").flatMap((module) => {
        const target = path.posix.join(path.posix.dirname(file.name), declaredTarget(module));
        const moduleFile = files.find((candidate) => candidate.name === target);
        if (moduleFile === undefined) return [`${where(file.name, module)}: ${target} does not exist`];
        const params = declaredParams(moduleFile.root);
        const passedNode = propertyAt(declarationBody(module), "params");
        const passed = passedNode === undefined ? [] : objectProperties(passedNode).map((property) => property.key);
        return [
          ...passed
            .filter((name) => !params.some((param) => param.name === name))
            .map((name) => `${where(file.name, module)}: ${target} declares no parameter ${name}`),
          ...params
            .filter((param) => param.required && !passed.includes(param.name))
            .map((param) => `${where(file.name, module)}: required parameter ${param.name} of ${target} is not passed`),
        ];
      }),
    );
    expect(problems).toEqual([]);
  });

  it("are read only through outputs they declare", async () => {
    const files = await loadBicepFiles();
    const problems = files.flatMap((file) =>
      declarations(file.root, "module_declaration").flatMap((module) => {
        const symbol = declarationName(module);
        const target = path.posix.join(path.posix.dirname(file.name), declaredTarget(module));
        const moduleFile = files.find((candidate) => candidate.name === target);
        const outputs =
          moduleFile === undefined ? [] : declarations(moduleFile.root, "output_declaration").map(declarationName);
        return file.root.descendantsOfType("member_expression").flatMap((access) => {
          const object = access.childForFieldName("object");
          const property = access.childForFieldName("property")?.text;
          // `entra!.outputs.x` and `entra.?outputs.x` (a conditional module) read the same outputs.
          const objectText = object?.text.replace(/!?\.\??/g, ".");
          const readsOutputs = object?.type === "member_expression" && objectText === `${symbol}.outputs`;
          return readsOutputs && property !== undefined && !outputs.includes(property)
            ? [`${where(file.name, access)}: ${target} has no output ${property}`]
            : [];
        });
      }),
    );
    expect(problems).toEqual([]);
  });
});

describe("parameters", () => {
  it("each carry a @description", async () => {
    const undocumented = (await loadBicepFiles()).flatMap((file) =>
      declarations(file.root, "parameter_declaration")
        .filter((param) => !decoratorNames(param).includes("description"))
        .map((param) => `${where(file.name, param)}: ${declarationName(param)}`),
    );
    expect(undocumented).toEqual([]);
  });

  it("have defaults within their own @minValue, @maxValue and @allowed", async () => {
    const problems = (await loadBicepFiles()).flatMap((file) =>
      declarations(file.root, "parameter_declaration").flatMap((param) => {
        const value = assignedValue(param);
        if (value === undefined || (value.type !== "number" && value.type !== "string")) return [];
        const found = decorators(param);
        const bound = (name: string) => found.find((d) => d.name === name)?.args[0]?.text;
        const [min, max] = [bound("minValue"), bound("maxValue")].map((text) =>
          text === undefined ? undefined : Number(text),
        );
        const allowed = found.find((d) => d.name === "allowed")?.args[0]?.namedChildren.map((item) => item.text);
        const at = `${where(file.name, param)}: ${declarationName(param)} default ${value.text}`;
        return [
          ...(min !== undefined && Number(value.text) < min ? [`${at} is below ${min}`] : []),
          ...(max !== undefined && Number(value.text) > max ? [`${at} is above ${max}`] : []),
          ...(allowed !== undefined && !allowed.includes(value.text) ? [`${at} is not in @allowed`] : []),
        ];
      }),
    );
    expect(problems).toEqual([]);
  });

  it("main.parameters.json maps azd environment values onto main.bicep's parameters, every required one included", async () => {
    const file = readJson("infra/main.parameters.json") as { parameters: Record<string, { value: unknown }> };
    const params = declaredParams((await loadBicepFile("infra/main.bicep")).root);
    const given = Object.keys(file.parameters);
    expect(given.filter((name) => !params.some((param) => param.name === name))).toEqual([]);
    expect(params.filter((param) => param.required && !given.includes(param.name)).map((param) => param.name)).toEqual(
      [],
    );

    const placeholders = Object.values(file.parameters).flatMap(({ value }): unknown[] =>
      Array.isArray(value) ? (value as unknown[]) : [value],
    );
    expect(
      placeholders.filter((value) => typeof value !== "string" || !/^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$/.test(value)),
    ).toEqual([]);
    expect(placeholders).toEqual(
      expect.arrayContaining(["${AZURE_ENV_NAME}", "${AZURE_LOCATION}", "${AZURE_PRINCIPAL_ID}", "${ENTRA_TENANT_ID}"]),
    );
  });
});

describe("names", () => {
  it("use only abbreviations that abbreviations.json defines", async () => {
    const abbreviations = readJson("infra/abbreviations.json") as Record<string, string>;
    const main = await loadBicepFile("infra/main.bicep");
    const used = main.root
      .descendantsOfType("member_expression")
      .filter((access) => access.childForFieldName("object")?.text === "abbrs")
      .map((access) => access.childForFieldName("property")?.text ?? "");
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => abbreviations[name] === undefined)).toEqual([]);
  });
});

describe("azure.yaml", () => {
  const yaml = (): string => readFileSync(path.join(repoRoot, "azure.yaml"), "utf8");
  /** The lines of one service's block (indented under `services:`), without the `name:` line itself. */
  const serviceBlock = (name: string): string => {
    const match = new RegExp(`^ {2}${name}:\\s*\\n((?: {4,}.*\\n|\\s*\\n)*)`, "m").exec(yaml());
    if (match?.[1] === undefined) throw new Error(`azure.yaml has no service ${name}`);
    return match[1];
  };

  it("declares the function app and the self-service page, each named as the tag on its resource", async () => {
    const servicesBlock = /^services:\n((?: {2,}.*\n|\s*\n)*)/m.exec(yaml())?.[1] ?? "";
    const services = [...servicesBlock.matchAll(/^ {2}([A-Za-z0-9-]+):\s*$/gm)].map((match) => match[1]);
    expect(services).toEqual(["api", "web"]);
    for (const [service, file] of [
      ["api", "infra/app/api.bicep"],
      ["web", "infra/app/web.bicep"],
    ] as const) {
      const bicep = await loadBicepFile(file);
      const serviceName = declarations(bicep.root, "parameter_declaration").find(
        (param) => declarationName(param) === "serviceName",
      );
      expect(serviceName && assignedValue(serviceName)?.text).toBe(`'${service}'`);
    }
  });

  it("has the platform build the function app from its sources (remote build)", () => {
    const api = serviceBlock("api");
    expect(api).toMatch(/^ {4}project: \.$/m);
    expect(api).toMatch(/^ {4}language: ts$/m);
    expect(api).toMatch(/^ {4}host: function$/m);
    expect(api).toMatch(/^ {4}remoteBuild: true$/m);
  });

  it("deploys portal/dist to the Static Web App and writes its config.json before the upload", () => {
    const web = serviceBlock("web");
    expect(web).toMatch(/^ {4}project: \.\/portal$/m);
    expect(web).toMatch(/^ {4}language: js$/m);
    expect(web).toMatch(/^ {4}host: staticwebapp$/m);
    expect(web).toMatch(/^ {4}dist: dist$/m);
    // After packaging (the page's build empties dist/), so the file is still there when azd uploads the folder.
    const hookRuns = [...web.matchAll(/^ +run: (.*)$/gm)].map((match) => match[1]);
    expect(web).toMatch(/^ {4}hooks:\n {6}predeploy:$/m);
    expect(hookRuns).toEqual(["../infra/hooks/write-portal-config.ps1", "../infra/hooks/write-portal-config.sh"]);
    for (const script of hookRuns) expect(existsSync(path.join(repoRoot, "portal", script!))).toBe(true);
  });

  it("requires the azd that deploys the page (>= 1.26.0), saying why", () => {
    expect(yaml()).toMatch(/^requiredVersions:\n {2}azd: ">= 1\.26\.0"$/m);
    const comment = yaml()
      .split("requiredVersions:")[0]!
      .split("\n")
      .filter((line) => line.startsWith("#"));
    expect(comment.join(" ")).toMatch(/Static Web Apps.*environment name/s);
  });

  it("runs the gateway keys and smoke check after a deployment, and removes the registrations after azd down", () => {
    const match = /^hooks:\n((?: {2,}.*\n)*)/m.exec(yaml());
    const hooks = match?.[1] ?? "";
    expect([...hooks.matchAll(/^ {2}([a-z]+):$/gm)].map((m) => m[1])).toEqual(["postdeploy", "postdown"]);
    const hookRuns = [...hooks.matchAll(/^ +run: (.*)$/gm)].map((m) => m[1]);
    expect(hookRuns).toEqual([
      "infra/hooks/postdeploy.ps1",
      "infra/hooks/postdeploy.sh",
      "infra/hooks/postdown.ps1",
      "infra/hooks/postdown.sh",
    ]);
    for (const script of hookRuns) expect(existsSync(path.join(repoRoot, script!))).toBe(true);
  });

  it("marks the api service's restore as azd's before it and unmarks it after, in sh and pwsh", () => {
    const api = serviceBlock("api");
    const hookRuns = [...api.matchAll(/^ +run: (.*)$/gm)].map((match) => match[1]);
    expect(api).toMatch(/^ {4}hooks:\n {6}prerestore:$/m);
    expect(api).toMatch(/^ {6}postrestore:$/m);
    expect(hookRuns).toEqual([
      "infra/hooks/azd-installs-portal.ps1",
      "infra/hooks/azd-installs-portal.sh",
      "infra/hooks/azd-installed-portal.ps1",
      "infra/hooks/azd-installed-portal.sh",
    ]);
    for (const script of hookRuns) expect(existsSync(path.join(repoRoot, script!))).toBe(true);
  });
});

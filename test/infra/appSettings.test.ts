import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import { DEPLOYED_THREADPOOL_SIZE } from "../../bench/measure";
import { localOnlySettingNames, settingNames } from "../../shared/adapters/config";
import { declarationBody, declaredTarget, objectProperties, propertyAt, stringLiteral, where } from "./bicepNodes";
import { loadBicepFiles, type BicepFile } from "./parseBicep";

/**
 * App settings that the Functions platform reads rather than shared/config.ts. Each is here for a reason; a new
 * one needs its own line.
 */
const platformSettingNames = [
  // Host storage (keys, leases, diagnostics) through the managed identity: the account allows no shared key.
  "AzureWebJobsStorage__credential",
  "AzureWebJobsStorage__clientId",
  "AzureWebJobsStorage__blobServiceUri",
  "AzureWebJobsStorage__queueServiceUri",
  "AzureWebJobsStorage__tableServiceUri",
  // Telemetry to Application Insights, authenticated with the managed identity (local auth is off).
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  // argon2 runs on the libuv thread pool, shared with DNS lookups and async crypto; see infra/app/api.bicep.
  "UV_THREADPOOL_SIZE",
];

const expectedSettingNames = [
  ...settingNames.filter((name) => !localOnlySettingNames.includes(name)),
  ...platformSettingNames,
].sort();

interface AppSettingsResource {
  readonly file: BicepFile;
  readonly declaration: Node;
}

/** Resources of type Microsoft.Web/sites/config named 'appsettings', nested (`'config'`) or not. */
function appSettingsResources(files: BicepFile[]): AppSettingsResource[] {
  return files.flatMap((file) =>
    file.root.descendantsOfType("resource_declaration").flatMap((declaration) => {
      const target = declaredTarget(declaration);
      const isSiteConfig = target === "config" || target.startsWith("Microsoft.Web/sites/config@");
      const name = propertyAt(declarationBody(declaration), "name");
      return isSiteConfig && name !== undefined && stringLiteral(name) === "appsettings" ? [{ file, declaration }] : [];
    }),
  );
}

async function declaredSettings(): Promise<{ resource: AppSettingsResource; properties: Node }> {
  const resources = appSettingsResources(await loadBicepFiles());
  const [resource, ...others] = resources;
  if (resource === undefined || others.length > 0) {
    const found = resources.map(({ file, declaration }) => where(file.name, declaration));
    throw new Error(`expected one appsettings resource in infra/, found ${found.length}: ${found.join(", ")}`);
  }
  const properties = propertyAt(declarationBody(resource.declaration), "properties");
  if (properties?.type !== "object") {
    throw new Error(`${where(resource.file.name, resource.declaration)}: app settings must be one object literal`);
  }
  return { resource, properties };
}

describe("app settings in infra/", () => {
  it("are exactly the settings shared/config.ts reads, minus the local-only ones, plus the platform's", async () => {
    const { properties } = await declaredSettings();
    const declared = objectProperties(properties).map((property) => property.key);

    expect({
      missingFromBicep: expectedSettingNames.filter((name) => !declared.includes(name)),
      unknownToConfigAndPlatform: declared.filter((name) => !expectedSettingNames.includes(name)),
    }).toEqual({ missingFromBicep: [], unknownToConfigAndPlatform: [] });
    expect([...declared].sort()).toEqual(expectedSettingNames);
  });

  it("sizes libuv's thread pool as the bench measures it", async () => {
    const { properties } = await declaredSettings();
    const setting = objectProperties(properties).find((property) => property.key === "UV_THREADPOOL_SIZE");
    expect(setting && stringLiteral(setting.value)).toBe(DEPLOYED_THREADPOOL_SIZE);
  });

  it("declares each setting once", async () => {
    const { properties } = await declaredSettings();
    const declared = objectProperties(properties).map((property) => property.key);
    expect(declared.filter((name, index) => declared.indexOf(name) !== index)).toEqual([]);
  });

  it("leaves out the settings that only make sense outside Azure", async () => {
    const { properties } = await declaredSettings();
    const declared = objectProperties(properties).map((property) => property.key);
    expect(localOnlySettingNames.length).toBeGreaterThan(0);
    expect(declared.filter((name) => localOnlySettingNames.includes(name))).toEqual([]);
  });

  it("are declared nowhere else (no siteConfig.appSettings)", async () => {
    const elsewhere = (await loadBicepFiles()).flatMap((file) =>
      file.root
        .descendantsOfType("object_property")
        .filter((property) => property.namedChildren[0]?.text === "appSettings")
        .map((property) => where(file.name, property)),
    );
    expect(elsewhere).toEqual([]);
  });

  it("reach storage and telemetry with the managed identity", async () => {
    const { properties } = await declaredSettings();
    const value = (key: string) => objectProperties(properties).find((property) => property.key === key)?.value.text;
    expect(value("AzureWebJobsStorage__credential")).toBe("'managedidentity'");
    expect(value("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")).toBe("'ClientId=${identityClientId};Authorization=AAD'");
    expect(value("AZURE_CLIENT_ID")).toBe("identityClientId");
    expect(value("AzureWebJobsStorage__clientId")).toBe("identityClientId");
  });
});

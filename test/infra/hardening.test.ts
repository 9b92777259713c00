import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import {
  assignedValue,
  declarationBody,
  declarationName,
  declarations,
  declaredTarget,
  isExisting,
  propertyAt,
} from "./bicepNodes";
import { loadBicepFile, loadBicepFiles } from "./parseBicep";

/** The body of the one resource of a type (ignoring `existing` references) across infra/. */
async function resourceBody(typePrefix: string, nestedType?: string): Promise<Node> {
  const bodies = (await loadBicepFiles()).flatMap((file) =>
    file.root.descendantsOfType("resource_declaration").flatMap((declaration) => {
      const target = declaredTarget(declaration);
      const matches = target.startsWith(`${typePrefix}@`) || (nestedType !== undefined && target === nestedType);
      const body = matches && !isExisting(declaration) ? declarationBody(declaration) : undefined;
      return body === undefined ? [] : [body];
    }),
  );
  const [body, ...others] = bodies;
  if (body === undefined || others.length > 0) throw new Error(`expected one ${typePrefix}, found ${bodies.length}`);
  return body;
}

const text = (node: Node | undefined): string | undefined => node?.text;

describe("the storage account", () => {
  it("takes no shared key, only TLS 1.2 and no anonymous blob access", async () => {
    const storage = await resourceBody("Microsoft.Storage/storageAccounts");
    expect(text(propertyAt(storage, "properties", "allowSharedKeyAccess"))).toBe("false");
    expect(text(propertyAt(storage, "properties", "minimumTlsVersion"))).toBe("'TLS1_2'");
    expect(text(propertyAt(storage, "properties", "allowBlobPublicAccess"))).toBe("false");
    expect(text(propertyAt(storage, "properties", "supportsHttpsTrafficOnly"))).toBe("true");
  });

  it("holds the app passwords table, named by a parameter that defaults to AppPasswords", async () => {
    const table = await resourceBody("Microsoft.Storage/storageAccounts/tableServices/tables", "tables");
    expect(text(propertyAt(table, "name"))).toBe("tableName");
    const main = await loadBicepFile("infra/main.bicep");
    const param = declarations(main.root, "parameter_declaration").find(
      (p) => declarationName(p) === "appPasswordsTableName",
    );
    expect(text(param && assignedValue(param))).toBe("'AppPasswords'");
  });
});

describe("telemetry", () => {
  it("accepts no local (key) authentication", async () => {
    expect(
      text(propertyAt(await resourceBody("Microsoft.Insights/components"), "properties", "DisableLocalAuth")),
    ).toBe("true");
    const workspace = await resourceBody("Microsoft.OperationalInsights/workspaces");
    expect(text(propertyAt(workspace, "properties", "features", "disableLocalAuth"))).toBe("true");
  });
});

describe("the function app", () => {
  it("runs on a Flex Consumption plan", async () => {
    const plan = await resourceBody("Microsoft.Web/serverfarms");
    expect(text(propertyAt(plan, "sku", "name"))).toBe("'FC1'");
    expect(text(propertyAt(plan, "sku", "tier"))).toBe("'FlexConsumption'");
  });

  it("runs Node from a deployment container it reads with the user-assigned identity", async () => {
    const config = propertyAt(await resourceBody("Microsoft.Web/sites"), "properties", "functionAppConfig");
    expect(text(propertyAt(config, "runtime", "name"))).toBe("'node'");
    expect(text(propertyAt(config, "deployment", "storage", "type"))).toBe("'blobContainer'");
    expect(text(propertyAt(config, "deployment", "storage", "authentication", "type"))).toBe("'UserAssignedIdentity'");
    expect(propertyAt(config, "scaleAndConcurrency", "maximumInstanceCount")).toBeDefined();
    expect(propertyAt(config, "scaleAndConcurrency", "instanceMemoryMB")).toBeDefined();
    const api = await loadBicepFile("infra/app/api.bicep");
    const nodeVersion = declarations(api.root, "parameter_declaration").find(
      (p) => declarationName(p) === "nodeVersion",
    );
    // Node 20 reached end of life in April 2026; the whole suite also passes on Node 22.
    expect(text(nodeVersion && assignedValue(nodeVersion))).toBe("'22'");
  });

  it("serves HTTPS only, TLS 1.2 at least, with FTP and basic publishing credentials off", async () => {
    const site = await resourceBody("Microsoft.Web/sites");
    expect(text(propertyAt(site, "properties", "httpsOnly"))).toBe("true");
    expect(text(propertyAt(site, "properties", "siteConfig", "minTlsVersion"))).toBe("'1.2'");
    expect(text(propertyAt(site, "properties", "siteConfig", "ftpsState"))).toBe("'Disabled'");
    const policies = (await loadBicepFiles()).flatMap((file) =>
      file.root
        .descendantsOfType("resource_declaration")
        .filter((declaration) =>
          /^(Microsoft\.Web\/sites\/)?basicPublishingCredentialsPolicies(@|$)/.test(declaredTarget(declaration)),
        )
        .map((declaration) => declarationBody(declaration)),
    );
    expect(
      policies
        .map((policy) => [text(propertyAt(policy, "name")), text(propertyAt(policy, "properties", "allow"))])
        .sort(),
    ).toEqual([
      ["'ftp'", "false"],
      ["'scm'", "false"],
    ]);
  });

  it("allows only the configured portal origins (CORS), none by default", async () => {
    const site = await resourceBody("Microsoft.Web/sites");
    expect(text(propertyAt(site, "properties", "siteConfig", "cors", "allowedOrigins"))).toBe("corsOrigins");
    const main = await loadBicepFile("infra/main.bicep");
    const origins = declarations(main.root, "parameter_declaration").find(
      (p) => declarationName(p) === "portalOrigins",
    );
    expect(text(origins && assignedValue(origins))).toBe("[]");
  });
});

describe("main.bicep outputs", () => {
  it("give the app name, the API base URL and the table endpoint", async () => {
    const main = await loadBicepFile("infra/main.bicep");
    const outputs = declarations(main.root, "output_declaration").map((output) => declarationName(output));
    expect(outputs).toEqual(
      expect.arrayContaining(["AZURE_FUNCTION_APP_NAME", "API_BASE_URL", "AZURE_TABLE_ENDPOINT"]),
    );
    const api = await loadBicepFile("infra/app/api.bicep");
    const baseUrl = declarations(api.root, "output_declaration").find(
      (output) => declarationName(output) === "baseUrl",
    );
    expect(text(baseUrl && assignedValue(baseUrl))).toBe("'https://${functionApp.properties.defaultHostName}/api'");
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import { portalConfigSources } from "../../dev/writePortalConfig";
import {
  assignedValue,
  declarationBody,
  declarationName,
  declarations,
  declaredTarget,
  isExisting,
  objectProperties,
  propertyAt,
} from "./bicepNodes";
import { loadBicepFile, loadBicepFiles, repoRoot } from "./parseBicep";

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

  it("runs the Node version the README states, once, and that package.json's engines admit", async () => {
    const api = await loadBicepFile("infra/app/api.bicep");
    const param = declarations(api.root, "parameter_declaration").find((p) => declarationName(p) === "nodeVersion");
    const bicepVersion = /^'(\d+)'$/.exec(text(param && assignedValue(param)) ?? "")?.[1];
    const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
    // "Node 22" is the function app's runtime; "Node.js 20.19 or later" what builds and tests the project locally.
    expect([...readme.matchAll(/\bNode (\d+)\b/g)].map((match) => match[1])).toEqual([bicepVersion]);
    const engines = (
      JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    const minimumMajor = Number(/^>=(\d+)/.exec(engines)?.[1]);
    expect(Number(bicepVersion)).toBeGreaterThanOrEqual(minimumMajor);
  });

  it("serves HTTPS only, TLS 1.2 at least, with basic publishing credentials off", async () => {
    const site = await resourceBody("Microsoft.Web/sites");
    expect(text(propertyAt(site, "properties", "httpsOnly"))).toBe("true");
    expect(text(propertyAt(site, "properties", "siteConfig", "minTlsVersion"))).toBe("'1.2'");
    const policies = (await loadBicepFiles()).flatMap((file) =>
      file.root
        .descendantsOfType("resource_declaration")
        .filter((declaration) =>
          /^(Microsoft\.Web\/sites\/)?basicPublishingCredentialsPolicies(@|$)/.test(declaredTarget(declaration)),
        )
        .map((declaration) => declarationBody(declaration)),
    );
    // Only scm: Flex Consumption has no FTP, so there is no ftp policy to turn off.
    expect(
      policies.map((policy) => [text(propertyAt(policy, "name")), text(propertyAt(policy, "properties", "allow"))]),
    ).toEqual([["'scm'", "false"]]);
  });

  it("sets only site configuration that Flex Consumption accepts (no ftpsState)", async () => {
    const siteConfig = propertyAt(await resourceBody("Microsoft.Web/sites"), "properties", "siteConfig");
    expect(siteConfig?.type).toBe("object");
    // Flex Consumption refuses the whole site over one property it does not support ("Site.SiteConfig.FtpsState
    // ... for Flex Consumption sites is invalid"); a new property joins this list only with the documentation's
    // word that Flex takes it.
    expect(objectProperties(siteConfig!).map((property) => property.key)).toEqual(["minTlsVersion", "cors"]);
  });

  it("allows the self-service page's origin (CORS) and the configured extra origins, none other", async () => {
    const site = await resourceBody("Microsoft.Web/sites");
    expect(text(propertyAt(site, "properties", "siteConfig", "cors", "allowedOrigins"))).toBe("corsOrigins");
    expect(text(propertyAt(site, "properties", "siteConfig", "cors", "supportCredentials"))).toBe("false");
    const main = await loadBicepFile("infra/main.bicep");
    const api = declarations(main.root, "module_declaration").find((module) => declarationName(module) === "api");
    expect(text(propertyAt(declarationBody(api!), "params", "corsOrigins"))).toBe(
      "union([web.outputs.origin], extraCorsOrigins)",
    );
    const origins = declarations(main.root, "parameter_declaration").find(
      (p) => declarationName(p) === "portalOrigins",
    );
    expect(text(origins && assignedValue(origins))).toBe("[]");
    const web = await loadBicepFile("infra/app/web.bicep");
    const origin = declarations(web.root, "output_declaration").find((output) => declarationName(output) === "origin");
    expect(text(origin && assignedValue(origin))).toBe("'https://${web.properties.defaultHostname}'");
  });
});

describe("the self-service page", () => {
  it("is a Free Static Web App that azd deploys as the web service", async () => {
    const web = await resourceBody("Microsoft.Web/staticSites");
    expect(text(propertyAt(web, "sku", "name"))).toBe("'Free'");
    expect(text(propertyAt(web, "sku", "tier"))).toBe("'Free'");
    expect(text(propertyAt(web, "tags"))).toBe("union(tags, { 'azd-service-name': serviceName })");
    const file = await loadBicepFile("infra/app/web.bicep");
    const serviceName = declarations(file.root, "parameter_declaration").find(
      (p) => declarationName(p) === "serviceName",
    );
    expect(text(serviceName && assignedValue(serviceName))).toBe("'web'");
  });
});

describe("main.bicep outputs", () => {
  it("give the app name, the API base URL, the table endpoint and the page's URL and configuration", async () => {
    const main = await loadBicepFile("infra/main.bicep");
    const outputs = declarations(main.root, "output_declaration").map((output) => declarationName(output));
    expect(outputs).toEqual(
      expect.arrayContaining([
        "AZURE_FUNCTION_APP_NAME",
        "API_BASE_URL",
        "AZURE_TABLE_ENDPOINT",
        "PORTAL_URL",
        ...Object.values(portalConfigSources),
      ]),
    );
    const scope = declarations(main.root, "output_declaration").find(
      (output) => declarationName(output) === "PORTAL_API_SCOPE",
    );
    expect(text(scope && assignedValue(scope))).toBe("'${apiIdentifierUri}/${authRequiredScope}'");
    const api = await loadBicepFile("infra/app/api.bicep");
    const baseUrl = declarations(api.root, "output_declaration").find(
      (output) => declarationName(output) === "baseUrl",
    );
    expect(text(baseUrl && assignedValue(baseUrl))).toBe("'https://${functionApp.properties.defaultHostName}/api'");
  });
});

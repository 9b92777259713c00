import { readFileSync } from "node:fs";
import path from "node:path";
import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import {
  assignedValue,
  declarationBody,
  declarationName,
  declarations,
  declaredTarget,
  isExisting,
  objectProperties,
  propertyAt,
  where,
} from "./bicepNodes";
import { loadBicepFile, loadBicepFiles, repoRoot } from "./parseBicep";

// The Microsoft Graph Bicep extension's resources, checked against its GA type definitions
// (microsoftgraph/msgraph-bicep-types, generated/microsoftgraph/microsoft.graph/v1.0/1.0.0/types.md) and against
// what the service and the page expect of the registrations.

const graphExtension = "br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0";

/** The writable properties of each resource type this project declares, as the 1.0.0 types name them. */
const writableProperties: Readonly<Record<string, readonly string[]>> = {
  "Microsoft.Graph/applications@v1.0": [
    "addIns",
    "api",
    "appRoles",
    "authenticationBehaviors",
    "defaultRedirectUri",
    "description",
    "disabledByMicrosoftStatus",
    "displayName",
    "groupMembershipClaims",
    "identifierUris",
    "info",
    "isDeviceOnlyAuthSupported",
    "isFallbackPublicClient",
    "keyCredentials",
    "logo",
    "nativeAuthenticationApisEnabled",
    "notes",
    "optionalClaims",
    "owners",
    "parentalControlSettings",
    "passwordCredentials",
    "publicClient",
    "requestSignatureVerification",
    "requiredResourceAccess",
    "samlMetadataUrl",
    "serviceManagementReference",
    "servicePrincipalLockConfiguration",
    "signInAudience",
    "spa",
    "tags",
    "tokenEncryptionKeyId",
    "uniqueName",
    "verifiedPublisher",
    "web",
  ],
  "Microsoft.Graph/servicePrincipals@v1.0": [
    "accountEnabled",
    "appId",
    "appRoleAssignmentRequired",
    "description",
    "displayName",
    "notes",
    "owners",
    "tags",
  ],
  "Microsoft.Graph/oauth2PermissionGrants@v1.0": ["clientId", "consentType", "principalId", "resourceId", "scope"],
  "Microsoft.Graph/appRoleAssignedTo@v1.0": ["appRoleId", "principalId", "resourceDisplayName", "resourceId"],
};

interface GraphResource {
  readonly file: string;
  readonly name: string;
  readonly type: string;
  readonly declaration: Node;
  readonly body: Node;
}

async function graphResources(): Promise<GraphResource[]> {
  return (await loadBicepFiles()).flatMap((file) =>
    declarations(file.root, "resource_declaration").flatMap((declaration) => {
      const type = declaredTarget(declaration);
      const body = declarationBody(declaration);
      return type.startsWith("Microsoft.Graph/") && body !== undefined
        ? [{ file: file.name, name: declarationName(declaration), type, declaration, body }]
        : [];
    }),
  );
}

async function entraResource(name: string): Promise<GraphResource> {
  const resource = (await graphResources()).find((r) => r.file === "infra/app/entra.bicep" && r.name === name);
  if (resource === undefined) throw new Error(`infra/app/entra.bicep declares no ${name}`);
  return resource;
}

const text = (node: Node | undefined): string | undefined => node?.text;

/** The one element of an array literal, or undefined. */
function onlyItem(array: Node | undefined): Node | undefined {
  const items = array?.type === "array" ? array.namedChildren.filter((node) => node.type !== "comment") : [];
  return items.length === 1 ? items[0] : undefined;
}

/** The expression a top-level `var` of entra.bicep is set to. */
async function entraVariable(name: string): Promise<string | undefined> {
  const file = await loadBicepFile("infra/app/entra.bicep");
  const variable = declarations(file.root, "variable_declaration").find((v) => declarationName(v) === name);
  return text(variable && assignedValue(variable));
}

describe("the Microsoft Graph extension", () => {
  it("is declared in infra/bicepconfig.json as microsoftGraphV1, at its GA version", () => {
    const config = JSON.parse(readFileSync(path.join(repoRoot, "infra", "bicepconfig.json"), "utf8")) as {
      extensions?: Record<string, string>;
    };
    expect(config.extensions).toEqual({ microsoftGraphV1: graphExtension });
  });

  it("is brought in by every file that declares a Graph resource, and only by those", async () => {
    const files = await loadBicepFiles();
    const graphFiles = new Set((await graphResources()).map((resource) => resource.file));
    expect([...graphFiles]).toEqual(["infra/app/entra.bicep"]);
    for (const file of files) {
      expect({ file: file.name, aliases: file.extensions.map((e) => e.alias) }).toEqual({
        file: file.name,
        aliases: graphFiles.has(file.name) ? ["microsoftGraphV1"] : [],
      });
    }
  });

  it("declares only types and properties the extension defines", async () => {
    const problems = (await graphResources()).flatMap((resource) => {
      const known = writableProperties[resource.type];
      if (known === undefined) return [`${where(resource.file, resource.declaration)}: unknown type ${resource.type}`];
      return objectProperties(resource.body)
        .filter((property) => !known.includes(property.key))
        .map((property) => `${where(resource.file, property.keyNode)}: ${resource.type} has no ${property.key}`);
    });
    expect(problems).toEqual([]);
  });

  it("gives every scope and role an id derived from the uniqueName, never a new one per deployment", async () => {
    const file = await loadBicepFile("infra/app/entra.bicep");
    expect(file.source).not.toMatch(/newGuid\(/);
    expect(await entraVariable("scopeId")).toBe("guid(apiUniqueName, 'oauth2PermissionScope', scopeValue)");
    expect(await entraVariable("adminRoleId")).toBe("guid(apiUniqueName, 'appRole', adminRoleValue)");
  });
});

describe("the API's registration", () => {
  it("is keyed by its uniqueName, named api://<tenant id>/<uniqueName>, single-tenant, with v2 tokens", async () => {
    const { body } = await entraResource("apiApp");
    expect(text(propertyAt(body, "uniqueName"))).toBe("apiUniqueName");
    expect(text(propertyAt(body, "signInAudience"))).toBe("'AzureADMyOrg'");
    expect(text(onlyItem(propertyAt(body, "identifierUris")))).toBe("identifierUri");
    expect(await entraVariable("identifierUri")).toBe("'api://${tenant().tenantId}/${apiUniqueName}'");
    expect(text(propertyAt(body, "api", "requestedAccessTokenVersion"))).toBe("2");
  });

  it("exposes the scope AppPasswords.Manage, which users may consent to", async () => {
    const scope = onlyItem(propertyAt((await entraResource("apiApp")).body, "api", "oauth2PermissionScopes"));
    expect(text(propertyAt(scope, "id"))).toBe("scopeId");
    expect(text(propertyAt(scope, "value"))).toBe("scopeValue");
    expect(text(propertyAt(scope, "type"))).toBe("'User'");
    expect(text(propertyAt(scope, "isEnabled"))).toBe("true");
    const file = await loadBicepFile("infra/app/entra.bicep");
    const scopeValue = declarations(file.root, "parameter_declaration").find(
      (p) => declarationName(p) === "scopeValue",
    );
    expect(text(scopeValue && assignedValue(scopeValue))).toBe("'AppPasswords.Manage'");
  });

  it("defines the app role AppPasswords.Admin for users", async () => {
    const role = onlyItem(propertyAt((await entraResource("apiApp")).body, "appRoles"));
    expect(text(propertyAt(role, "id"))).toBe("adminRoleId");
    expect(text(propertyAt(role, "value"))).toBe("adminRoleValue");
    expect(text(onlyItem(propertyAt(role, "allowedMemberTypes")))).toBe("'User'");
    const file = await loadBicepFile("infra/app/entra.bicep");
    const roleValue = declarations(file.root, "parameter_declaration").find(
      (p) => declarationName(p) === "adminRoleValue",
    );
    expect(text(roleValue && assignedValue(roleValue))).toBe("'AppPasswords.Admin'");
  });

  it("has a service principal, which administrators are assigned to", async () => {
    expect(text(propertyAt((await entraResource("apiServicePrincipal")).body, "appId"))).toBe("apiApp.appId");
    const assignments = await entraResource("adminAssignments");
    expect(assignments.type).toBe("Microsoft.Graph/appRoleAssignedTo@v1.0");
    const loop = assignments.declaration.namedChildren.find((node) => node.type === "for_statement");
    expect(loop?.namedChildren.map((node) => node.text).slice(0, 2)).toEqual(["principalId", "adminPrincipalIds"]);
    expect(text(propertyAt(assignments.body, "principalId"))).toBe("principalId");
    expect(text(propertyAt(assignments.body, "resourceId"))).toBe("apiServicePrincipal.id");
    expect(text(propertyAt(assignments.body, "appRoleId"))).toBe("adminRoleId");
  });
});

describe("the page's registration", () => {
  it("is a single-page application with the redirect URIs it is given", async () => {
    const { body } = await entraResource("portalApp");
    expect(text(propertyAt(body, "uniqueName"))).toBe("portalUniqueName");
    expect(text(propertyAt(body, "spa", "redirectUris"))).toBe("portalRedirectUris");
    expect(propertyAt(body, "web")).toBeUndefined();
    expect(propertyAt(body, "publicClient")).toBeUndefined();
  });

  it("requires the API's scope and holds the tenant's consent to it", async () => {
    const required = propertyAt((await entraResource("portalApp")).body, "requiredResourceAccess");
    const access = required?.namedChildren.filter((node) => node.type === "object")[0];
    expect(text(propertyAt(access, "resourceAppId"))).toBe("apiApp.appId");
    const scope = onlyItem(propertyAt(access, "resourceAccess"));
    expect([text(propertyAt(scope, "id")), text(propertyAt(scope, "type"))]).toEqual(["scopeId", "'Scope'"]);

    expect(text(propertyAt((await entraResource("portalServicePrincipal")).body, "appId"))).toBe("portalApp.appId");
    const grant = (await entraResource("portalConsent")).body;
    expect(text(propertyAt(grant, "clientId"))).toBe("portalServicePrincipal.id");
    expect(text(propertyAt(grant, "resourceId"))).toBe("apiServicePrincipal.id");
    expect(text(propertyAt(grant, "consentType"))).toBe("'AllPrincipals'");
    expect(text(propertyAt(grant, "scope"))).toBe("scopeValue");
  });

  it("requires and holds consent for the sign-in scopes MSAL asks for, from Microsoft Graph", async () => {
    const required = propertyAt((await entraResource("portalApp")).body, "requiredResourceAccess");
    const graph = required?.namedChildren.filter((node) => node.type === "object")[1];
    expect(text(propertyAt(graph, "resourceAppId"))).toBe("graphAppId");
    expect(await entraVariable("graphAppId")).toBe("'00000003-0000-0000-c000-000000000000'");
    // Microsoft Graph's delegated permission ids for the OpenID Connect scopes.
    expect((await entraVariable("signInScopes"))?.replace(/\s+/g, " ")).toBe(
      "[ { value: 'openid', id: '37f7f235-527c-4136-accd-4a02d197296e' } { value: 'profile', id: '14dad69e-099b-42c9-810b-d002981feec1' } { value: 'offline_access', id: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182' } ]",
    );
    const graphSp = await entraResource("graphServicePrincipal");
    expect(isExisting(graphSp.declaration)).toBe(true);
    expect(text(propertyAt(graphSp.body, "appId"))).toBe("graphAppId");
    const grant = (await entraResource("portalSignInConsent")).body;
    expect(text(propertyAt(grant, "clientId"))).toBe("portalServicePrincipal.id");
    expect(text(propertyAt(grant, "resourceId"))).toBe("graphServicePrincipal.id");
    expect(text(propertyAt(grant, "consentType"))).toBe("'AllPrincipals'");
    expect(text(propertyAt(grant, "scope"))).toBe("join(map(signInScopes, scope => scope.value), ' ')");
  });
});

describe("main.bicep", () => {
  async function mainModule(name: string): Promise<Node> {
    const main = await loadBicepFile("infra/main.bicep");
    const module = declarations(main.root, "module_declaration").find((m) => declarationName(m) === name);
    if (module === undefined) throw new Error(`main.bicep has no module ${name}`);
    return module;
  }
  async function mainVariable(name: string): Promise<string | undefined> {
    const main = await loadBicepFile("infra/main.bicep");
    const variable = declarations(main.root, "variable_declaration").find((v) => declarationName(v) === name);
    return text(variable && assignedValue(variable));
  }

  it("registers the applications only when the operator brings no API registration", async () => {
    const entra = await mainModule("entra");
    const condition = entra.namedChildren.find((node) => node.type === "if_statement")?.namedChildren[0];
    expect(text(condition)).toBe("(registerApplications)");
    expect(await mainVariable("registerApplications")).toBe("empty(apiClientId)");
    expect(text(propertyAt(declarationBody(entra), "params", "portalRedirectUris"))).toBe(
      "union([web.outputs.origin], extraRedirectUris)",
    );
    expect(text(propertyAt(declarationBody(entra), "params", "adminPrincipalIds"))).toBe("adminIds");
    // The scope it exposes is the one the function app requires and the page requests.
    expect(text(propertyAt(declarationBody(entra), "params", "scopeValue"))).toBe("authRequiredScope");
    expect(text(propertyAt(declarationBody(await mainModule("api")), "params", "authRequiredScope"))).toBe(
      "authRequiredScope",
    );
    const main = await loadBicepFile("infra/main.bicep");
    const scope = declarations(main.root, "parameter_declaration").find(
      (p) => declarationName(p) === "authRequiredScope",
    );
    expect(text(scope && assignedValue(scope))).toBe("'AppPasswords.Manage'");
  });

  it("gives the function app the registrations' audiences, and the page their client id and scope", async () => {
    expect(await mainVariable("apiAppId")).toBe("registerApplications ? entra!.outputs.apiClientId : apiClientId");
    expect((await mainVariable("apiIdentifierUri"))?.replace(/\s+/g, " ")).toBe(
      "registerApplications ? entra!.outputs.apiIdentifierUri : (empty(apiAudience) ? 'api://${apiClientId}' : apiAudience)",
    );
    expect(await mainVariable("portalAppId")).toBe(
      "registerApplications ? entra!.outputs.portalClientId : portalClientId",
    );
    expect((await mainVariable("authAudiences"))?.replace(/\s+/g, " ")).toBe("[ apiIdentifierUri apiAppId ]");
    const main = await loadBicepFile("infra/main.bicep");
    const output = (name: string) =>
      text(assignedValue(declarations(main.root, "output_declaration").find((o) => declarationName(o) === name)!));
    expect(output("PORTAL_CLIENT_ID")).toBe("portalAppId");
    expect(output("PORTAL_API_SCOPE")).toBe("'${apiIdentifierUri}/${authRequiredScope}'");
  });

  it("names no output after an azd environment value it reads, so a provision never feeds itself", async () => {
    const parameters = readFileSync(path.join(repoRoot, "infra", "main.parameters.json"), "utf8");
    const inputs = [...parameters.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]);
    expect(inputs).toContain("APP_PASSWORDS_API_CLIENT_ID");
    const main = await loadBicepFile("infra/main.bicep");
    const outputs = declarations(main.root, "output_declaration").map(declarationName);
    // azd's own (AZURE_LOCATION...) are the exception: azd expects them back and they do not change what is made.
    const azdOwn = ["AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_PRINCIPAL_ID"];
    expect(outputs.filter((name) => inputs.includes(name) && !azdOwn.includes(name))).toEqual([]);
  });

  it("gives the uniqueNames to the postdown hook only for registrations it made", async () => {
    const main = await loadBicepFile("infra/main.bicep");
    const output = (name: string) =>
      text(assignedValue(declarations(main.root, "output_declaration").find((o) => declarationName(o) === name)!));
    expect(output("ENTRA_API_UNIQUE_NAME")).toBe("registerApplications ? apiUniqueName : ''");
    expect(output("ENTRA_PORTAL_UNIQUE_NAME")).toBe("registerApplications ? portalUniqueName : ''");
    // Stable per environment: the same token that names the resources.
    expect(await mainVariable("apiUniqueName")).toBe("'app-passwords-api-${resourceToken}'");
    expect(await mainVariable("portalUniqueName")).toBe("'app-passwords-portal-${resourceToken}'");
  });
});

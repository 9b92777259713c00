import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import {
  declarationBody,
  declarationName,
  declarations,
  decoratorNames,
  objectProperties,
  propertyAt,
} from "./bicepNodes";
import { loadBicepFile } from "./parseBicep";

const text = (node: Node | undefined): string | undefined => node?.text;

async function moduleParams(name: string): Promise<Node | undefined> {
  const main = await loadBicepFile("infra/main.bicep");
  const module = declarations(main.root, "module_declaration").find((m) => declarationName(m) === name);
  return module && propertyAt(declarationBody(module), "params");
}

describe("the throttle key", () => {
  it("is kept in a key vault with Azure RBAC and no purge protection (azd down --purge removes it)", async () => {
    const file = await loadBicepFile("infra/app/keyvault.bicep");
    const vault = declarations(file.root, "resource_declaration").find((r) => declarationName(r) === "vault");
    const body = vault && declarationBody(vault);
    expect(text(propertyAt(body, "properties", "enableRbacAuthorization"))).toBe("true");
    expect(propertyAt(body, "properties", "enablePurgeProtection")).toBeUndefined();
    expect(propertyAt(body, "properties", "accessPolicies")).toBeUndefined();
    const secret = file.root
      .descendantsOfType("resource_declaration")
      .find((r) => declarationName(r) === "throttleKeySecret");
    expect(text(propertyAt(secret && declarationBody(secret), "properties", "value"))).toBe("throttleKey");
    const param = declarations(file.root, "parameter_declaration").find((p) => declarationName(p) === "throttleKey");
    expect(param && decoratorNames(param)).toContain("secure");
  });

  it("is stored from azd's generated value, and the function app gets only where it is", async () => {
    expect(text(propertyAt(await moduleParams("keyVault"), "throttleKey"))).toBe("throttleKey");
    const api = await moduleParams("api");
    expect(api && objectProperties(api).map((p) => p.key)).not.toContain("throttleKey");
    expect(text(propertyAt(api, "throttleKeyReferenceUri"))).toBe("keyVault.outputs.throttleReferenceUri");
    const apiFile = await loadBicepFile("infra/app/api.bicep");
    expect(declarations(apiFile.root, "parameter_declaration").map(declarationName)).not.toContain("throttleKey");
  });

  it("reaches the app as a Key Vault reference resolved with the app's user-assigned identity", async () => {
    const api = await loadBicepFile("infra/app/api.bicep");
    const site = declarations(api.root, "resource_declaration").find((r) => declarationName(r) === "functionApp");
    expect(text(propertyAt(site && declarationBody(site), "properties", "keyVaultReferenceIdentity"))).toBe(
      "identityId",
    );
    const settings = api.root
      .descendantsOfType("resource_declaration")
      .map((declaration) => declarationBody(declaration))
      .find((body) => body !== undefined && propertyAt(body, "name")?.text === "'appsettings'");
    expect(text(propertyAt(settings, "properties", "APP_PASSWORDS_THROTTLE_KEY"))).toBe(
      "'@Microsoft.KeyVault(SecretUri=${throttleKeyReferenceUri})'",
    );
  });
});

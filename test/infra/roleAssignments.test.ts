import { describe, expect, it } from "vitest";
import { where } from "./bicepNodes";
import { loadBicepFile, loadBicepFiles, parseBicep } from "./parseBicep";
import { documentedGraphIds, documentedRoles, guidsIn, roleAssignments } from "./roleAssignments";

const role = (name: string): string => {
  const id = Object.keys(documentedRoles).find((candidate) => documentedRoles[candidate] === name);
  if (id === undefined) throw new Error(`${name} is not a documented role`);
  return id;
};

describe("the role assignment checker", () => {
  it("accepts guid(scope.id, principal, role) and rejects any other name", async () => {
    const source = [
      "var reader = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')",
      "resource good 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
      "  name: guid(storage.id, principal, reader)",
      "  scope: storage",
      "  properties: { principalId: principal, roleDefinitionId: reader }",
      "}",
      "resource bad 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
      "  name: guid(resourceGroup().id, reader)",
      "  scope: storage",
      "  properties: { principalId: principal, roleDefinitionId: reader }",
      "}",
      "",
    ].join("\n");
    const [good, bad] = roleAssignments("snippet.bicep", (await parseBicep(source)).rootNode);
    expect(good).toMatchObject({
      scope: "storage",
      principalId: "principal",
      role: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
      problems: [],
    });
    expect(bad?.problems).toEqual([
      "snippet.bicep:7:1: name must be guid(scope.id, principalId, roleDefinitionId), is guid(resourceGroup().id, reader)",
    ]);
  });

  it("give the app's identity Contributor on its Communication Services only, to send notices", async () => {
    const notices = await loadBicepFile("infra/app/notices.bicep");
    expect(
      roleAssignments(notices.name, notices.root).map(({ scope, principalId, role: id }) => ({
        scope,
        principalId,
        id,
      })),
    ).toEqual([{ scope: "communication", principalId: "principalId", id: role("Contributor") }]);
  });
});

describe("role assignments in infra/", () => {
  it("use only the documented built-in roles (and Microsoft Graph's documented ids)", async () => {
    const undocumented = (await loadBicepFiles()).flatMap((file) =>
      guidsIn(file.root)
        .filter(({ guid }) => documentedRoles[guid] === undefined && documentedGraphIds[guid] === undefined)
        .map(({ guid, node }) => `${where(file.name, node)}: ${guid}`),
    );
    expect(undocumented).toEqual([]);
  });

  it("are each named guid(scope, principal, role)", async () => {
    const files = await loadBicepFiles();
    const assignments = files.flatMap((file) => roleAssignments(file.name, file.root));
    expect(assignments.length).toBeGreaterThan(0);
    expect(assignments.flatMap((assignment) => assignment.problems)).toEqual([]);
  });

  it("give the app's identity table, blob, queue, telemetry and secret-reading access, and the deployer table and blob access", async () => {
    const files = [await loadBicepFile("infra/app/rbac.bicep"), await loadBicepFile("infra/app/keyvault.bicep")];
    const rolesOf = (principal: string) =>
      files
        .flatMap((file) => roleAssignments(file.name, file.root))
        .filter((assignment) => assignment.principalId === principal)
        .map((assignment) => assignment.role)
        .sort();
    expect(rolesOf("identityPrincipalId")).toEqual(
      Object.keys(documentedRoles)
        .filter((id) => id !== role("Contributor"))
        .sort(),
    );
    expect(rolesOf("deployerPrincipalId")).toEqual(
      [role("Storage Table Data Contributor"), role("Storage Blob Data Owner")].sort(),
    );
  });

  it("give the app's identity Contributor on its Communication Services only, to send notices", async () => {
    const notices = await loadBicepFile("infra/app/notices.bicep");
    expect(
      roleAssignments(notices.name, notices.root).map(({ scope, principalId, role: id }) => ({
        scope,
        principalId,
        id,
      })),
    ).toEqual([{ scope: "communication", principalId: "principalId", id: role("Contributor") }]);
  });
});

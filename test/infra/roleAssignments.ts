import type { Node } from "web-tree-sitter";
import {
  assignedValue,
  callArguments,
  declarationBody,
  declarationName,
  declarations,
  declaredTarget,
  propertyAt,
  where,
} from "./bicepNodes";

/** The built-in roles the service needs, by role definition id. Nothing broader (no Owner, no Contributor). */
export const documentedRoles: Readonly<Record<string, string>> = {
  "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
  "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
  "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
};

/**
 * The other well-known ids the templates write: Microsoft Graph's application id and the delegated permissions
 * the page signs in with (infra/app/entra.bicep). Not roles; listed so that any other GUID still stands out.
 */
export const documentedGraphIds: Readonly<Record<string, string>> = {
  "00000003-0000-0000-c000-000000000000": "Microsoft Graph (application id)",
  "37f7f235-527c-4136-accd-4a02d197296e": "Microsoft Graph delegated permission openid",
  "14dad69e-099b-42c9-810b-d002981feec1": "Microsoft Graph delegated permission profile",
  "7427e0e9-2fba-42fe-b0c0-848c9e6a8182": "Microsoft Graph delegated permission offline_access",
};

const guidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every GUID written in a string literal of the file. */
export function guidsIn(root: Node): { guid: string; node: Node }[] {
  return root
    .descendantsOfType("string_content")
    .flatMap((node) => [...node.text.matchAll(guidPattern)].map((match) => ({ guid: match[0].toLowerCase(), node })));
}

export interface RoleAssignment {
  readonly at: string;
  readonly scope: string | undefined;
  readonly principalId: string | undefined;
  /** The role definition GUID, resolved through a top-level variable when the property names one. */
  readonly role: string | undefined;
  readonly problems: string[];
}

/**
 * The role assignments declared in one file, each checked for the naming rule guid(scope.id, principal, role):
 * the name is a guid() of the assignment's own scope, principal and role definition, so it is stable across
 * deployments and unique per (scope, principal, role).
 */
export function roleAssignments(file: string, root: Node): RoleAssignment[] {
  const variables = new Map(declarations(root, "variable_declaration").map((v) => [declarationName(v), v]));
  const resolveRole = (node: Node | undefined): string | undefined => {
    const source = node?.type === "identifier" ? assignedValue(variables.get(node.text) ?? node) : node;
    return source?.text.match(guidPattern)?.[0]?.toLowerCase();
  };
  return root
    .descendantsOfType("resource_declaration")
    .filter((declaration) => declaredTarget(declaration).startsWith("Microsoft.Authorization/roleAssignments@"))
    .map((declaration) => {
      const at = where(file, declaration);
      const body = declarationBody(declaration);
      const scope = propertyAt(body, "scope")?.text;
      const principalId = propertyAt(body, "properties", "principalId")?.text;
      const roleDefinitionId = propertyAt(body, "properties", "roleDefinitionId");
      const name = propertyAt(body, "name");
      const problems: string[] = [];
      const args =
        name?.type === "call_expression" && name.childForFieldName("function")?.text === "guid"
          ? callArguments(name)
          : [];
      if (args.length !== 3) {
        problems.push(
          `${at}: name must be guid(scope.id, principalId, roleDefinitionId), is ${name?.text ?? "missing"}`,
        );
      } else {
        const [scopeArg, principalArg, roleArg] = args.map((arg) => arg.text);
        if (scope === undefined || scopeArg !== `${scope}.id`)
          problems.push(`${at}: guid() must start with ${scope ?? "<scope>"}.id, not ${scopeArg}`);
        if (principalArg !== principalId)
          problems.push(`${at}: guid() must use the assigned principal ${principalId}, not ${principalArg}`);
        if (roleArg !== roleDefinitionId?.text)
          problems.push(`${at}: guid() must use the assigned role ${roleDefinitionId?.text}, not ${roleArg}`);
      }
      return { at, scope, principalId, role: resolveRole(roleDefinitionId), problems };
    });
}

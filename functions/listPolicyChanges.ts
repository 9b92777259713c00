import { app } from "@azure/functions";
import { z } from "zod";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { policyChangeBody, policyChangeItem } from "../shared/adapters/policySchemas";
import { activityQuery } from "../shared/adapters/requestSchemas";
import { getServices } from "../shared/services";

/** Its answer: a page of changes, newest first. */
const policyChangesPage = z
  .object({
    items: z.array(policyChangeItem),
    continuation: z.string().optional().meta({ description: "Pass as ?continuation= for the next page" }),
  })
  .meta({ id: "PolicyChangesPage" });

/**
 * `GET /api/policy/changes?limit=&continuation=` (administrators): the tenant's activity of policy changes,
 * newest first, each naming the administrator and the values before and after.
 */
export const listPolicyChanges = defineEndpoint(
  {
    name: "listPolicyChanges",
    method: "GET",
    route: "policy/changes",
    summary: "Changes of the tenant policy, newest first, each with who made it and the old and new values",
    caller: "bearer",
    query: activityQuery,
    answers: { 200: { description: "One page of changes", schema: policyChangesPage } },
    problems: ["FORBIDDEN", "INVALID_CONTINUATION"],
  },
  async ({ services, caller, query }) => {
    const outcome = await services.policy.listChanges(caller, query.limit, query.continuation);
    if (outcome.code !== "POLICY_CHANGES") return outcome;
    const { items, continuation } = outcome.page;
    return {
      status: 200,
      body: { items: items.map(policyChangeBody), ...(continuation !== undefined && { continuation }) },
    };
  },
);

/** How the Functions host serves it (the local host and tests serve `listPolicyChanges` with their own services). */
export const listPolicyChangesOptions = listPolicyChanges.serve(getServices);

app.http("listPolicyChanges", listPolicyChangesOptions);

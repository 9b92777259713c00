import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { fromValues, policyAnswer, policyBody, policyValues } from "../shared/adapters/policySchemas";
import { getServices } from "../shared/services";

/**
 * `PUT /api/policy` (administrators) with `If-Match: <ETag>` and the four values: saves the tenant policy
 * and records the change, naming the administrator; 412 `POLICY_CHANGED` when someone saved since that ETag
 * was read, 428 without `If-Match` (`*` overwrites whatever is stored).
 */
export const putPolicy = defineEndpoint(
  {
    name: "putPolicy",
    method: "PUT",
    route: "policy",
    summary: "Save the tenant policy (administrators), conditional on If-Match; every instance applies it soon",
    caller: "bearer",
    body: policyValues,
    answers: { 200: { description: "Saved: the policy now in force", schema: policyAnswer } },
    problems: ["FORBIDDEN", "POLICY_CHANGED", "IF_MATCH_REQUIRED"],
  },
  async ({ services, caller, request, body }) => {
    const ifMatch = request.headers.get("if-match")?.trim() ?? "";
    // Someone who may not change it is told that first, whatever they sent.
    if (ifMatch === "" && caller.isAdmin) {
      return {
        problem: "IF_MATCH_REQUIRED",
        detail: "Send If-Match with the ETag of the policy you read (GET /api/policy), or * to overwrite it.",
      };
    }
    const outcome = await services.policy.save(caller, ifMatch, fromValues(body));
    if (outcome.code !== "POLICY_SAVED") return outcome;
    const refreshSeconds = services.policy.refreshMs / 1000;
    return { status: 200, headers: { ETag: outcome.view.etag }, body: policyBody(outcome.view, true, refreshSeconds) };
  },
);

/** How the Functions host serves it (the local host and tests serve `putPolicy` with their own services). */
export const putPolicyOptions = putPolicy.serve(getServices);

app.http("putPolicy", putPolicyOptions);

import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { policyAnswer, policyBody } from "../shared/adapters/policySchemas";
import { getServices } from "../shared/services";

/**
 * `GET /api/policy`: the tenant policy as stored now, for anyone signed in (what applies to them), with
 * its ETag for an administrator's `PUT /api/policy`.
 */
export const getPolicy = defineEndpoint(
  {
    name: "getPolicy",
    method: "GET",
    route: "policy",
    summary: "The tenant policy that applies to the signed-in person, with its ETag",
    caller: "bearer",
    answers: { 200: { description: "The policy in force", schema: policyAnswer } },
    problems: [],
  },
  async ({ services, caller }) => {
    const outcome = await services.policy.get(caller);
    if (outcome.code !== "POLICY") return outcome;
    const refreshSeconds = services.policy.refreshMs / 1000;
    return {
      status: 200,
      headers: { ETag: outcome.view.etag },
      body: policyBody(outcome.view, caller.isAdmin, refreshSeconds),
    };
  },
);

/** How the Functions host serves it (the local host and tests serve `getPolicy` with their own services). */
export const getPolicyOptions = getPolicy.serve(getServices);

app.http("getPolicy", getPolicyOptions);

import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { activityQuery, userRoute } from "../shared/adapters/requestSchemas";
import { activityBody, activityPage } from "../shared/adapters/responseSchemas";

/**
 * `GET /api/users/{user}/activity?limit=&continuation=`: the person's activity of the last 90 days, newest
 * first, a page at a time; for its owner and administrators. No event holds a secret.
 */
export const listActivity = defineEndpoint(
  {
    name: "listActivity",
    method: "GET",
    route: "users/{user}/activity",
    summary: "A user's activity of the last 90 days, newest first, a page at a time",
    caller: "bearer",
    params: userRoute,
    query: activityQuery,
    answers: { 200: { description: "One page of events", schema: activityPage } },
    problems: ["INVALID_CONTINUATION"],
  },
  async ({ services, caller, target, query }) => {
    const outcome = await services.appPasswords.listActivity(caller, target, query.limit, query.continuation);
    if (outcome.code !== "ACTIVITY") return outcome;
    const { items, continuation } = outcome.page;
    return {
      status: 200,
      body: { items: items.map(activityBody), ...(continuation !== undefined && { continuation }) },
    };
  },
);

/** How the Functions host serves it (the local host and tests serve `listActivity` with their own services). */
export const listActivityOptions = listActivity.serve(getServices);

app.http("listActivity", listActivityOptions);

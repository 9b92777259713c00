import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readQuery, readRouteParams, targetUser } from "../shared/adapters/httpInput";
import { jsonResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { activityQuery, userRoute } from "../shared/adapters/requestSchemas";
import { activityBody } from "../shared/adapters/responseSchemas";
import { getServices } from "../shared/services";

/**
 * `GET /api/users/{user}/activity?limit=&continuation=`: the person's activity of the last 90 days, newest
 * first, a page at a time; for its owner and administrators. No event holds a secret.
 */
export async function listActivity(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, userRoute);
  if (!route.ok) return route.response;
  const query = readQuery(request, activityQuery);
  if (!query.ok) return query.response;
  const target = await targetUser(caller.value, route.value.user);
  if (!target.ok) return target.response;

  const { limit, continuation } = query.value;
  const outcome = await getServices().appPasswords.listActivity(caller.value, target.value, limit, continuation);
  if (outcome.code !== "ACTIVITY") return refusalResponse(outcome);
  const { items, continuation: next } = outcome.page;
  return jsonResponse(200, { items: items.map(activityBody), ...(next !== undefined && { continuation: next }) });
}

/** How the Functions host (and the local host) serves it. */
export const listActivityOptions: HttpFunctionOptions = {
  methods: ["GET"],
  route: "users/{user}/activity",
  authLevel: "anonymous",
  handler: handleErrors(listActivity),
};

app.http("listActivity", listActivityOptions);

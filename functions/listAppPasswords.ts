import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readRouteParams, targetUser } from "../shared/adapters/httpInput";
import { jsonResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { userRoute } from "../shared/adapters/requestSchemas";
import { itemBody } from "../shared/adapters/responseSchemas";
import { getServices } from "../shared/services";

/** `GET /api/users/{user}/app-passwords`: names and dates, never a password or a hash. */
export async function listAppPasswords(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, userRoute);
  if (!route.ok) return route.response;

  const target = await targetUser(caller.value, route.value.user);
  if (!target.ok) return target.response;
  const userId = target.value;
  const outcome = await getServices().appPasswords.list(caller.value, userId);
  if (outcome.code !== "LISTED") return refusalResponse(outcome);
  return jsonResponse(200, { items: outcome.items.map(itemBody), count: outcome.items.length, limit: outcome.limit });
}

/** How the Functions host (and the local host) serves it. */
export const listAppPasswordsOptions: HttpFunctionOptions = {
  methods: ["GET"],
  route: "users/{user}/app-passwords",
  authLevel: "anonymous",
  handler: handleErrors(listAppPasswords),
};

app.http("listAppPasswords", listAppPasswordsOptions);

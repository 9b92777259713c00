import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readRouteParams, targetUser } from "../shared/adapters/httpInput";
import { jsonResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { appPasswordRoute } from "../shared/adapters/requestSchemas";
import { itemBody } from "../shared/adapters/responseSchemas";
import { getServices } from "../shared/services";

/** `GET /api/users/{user}/app-passwords/{id}`: one app password, never its password or hash. */
export async function getAppPassword(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, appPasswordRoute);
  if (!route.ok) return route.response;
  const target = await targetUser(caller.value, route.value.user);
  if (!target.ok) return target.response;

  const outcome = await getServices().appPasswords.get(caller.value, target.value, route.value.id);
  if (outcome.code !== "FOUND") return refusalResponse(outcome);
  return jsonResponse(200, itemBody(outcome.item));
}

/** How the Functions host (and the local host) serves it. */
export const getAppPasswordOptions: HttpFunctionOptions = {
  methods: ["GET"],
  route: "users/{user}/app-passwords/{id}",
  authLevel: "anonymous",
  handler: handleErrors(getAppPassword),
};

app.http("getAppPassword", getAppPasswordOptions);

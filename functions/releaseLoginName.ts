import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readRouteParams } from "../shared/adapters/httpInput";
import { BASE_HEADERS, refusalResponse } from "../shared/adapters/problemResponse";
import { loginNameRoute } from "../shared/adapters/requestSchemas";
import { getServices } from "../shared/services";

/**
 * `DELETE /api/login-names/{loginName}` (admin): frees a login name, so that the next account whose token
 * proves it can claim it (a name reassigned in Entra ID while its former holder's account remains).
 */
export async function releaseLoginName(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, loginNameRoute);
  if (!route.ok) return route.response;

  const outcome = await getServices().appPasswords.releaseLoginName(caller.value, route.value.loginName);
  if (outcome.code !== "RELEASED") return refusalResponse(outcome);
  return { status: 204, headers: BASE_HEADERS };
}

/** How the Functions host (and the local host) serves it. */
export const releaseLoginNameOptions: HttpFunctionOptions = {
  methods: ["DELETE"],
  route: "login-names/{loginName}",
  authLevel: "anonymous",
  handler: handleErrors(releaseLoginName),
};

app.http("releaseLoginName", releaseLoginNameOptions);

import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readRouteParams, targetUser } from "../shared/adapters/httpInput";
import { BASE_HEADERS, refusalResponse } from "../shared/adapters/problemResponse";
import { releasedLoginNameRoute } from "../shared/adapters/requestSchemas";
import { getServices } from "../shared/services";

/**
 * `DELETE /api/users/{user}/released-login-names/{loginName}` (admin): lifts the release of a login name from
 * that account, so it may claim the name again (a name Entra ID gave back to the person it was taken from).
 */
export async function liftLoginNameRelease(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, releasedLoginNameRoute);
  if (!route.ok) return route.response;

  const target = await targetUser(caller.value, route.value.user);
  if (!target.ok) return target.response;
  const outcome = await getServices().appPasswords.liftLoginNameRelease(
    caller.value,
    target.value,
    route.value.loginName,
  );
  if (outcome.code !== "LIFTED") return refusalResponse(outcome);
  return { status: 204, headers: BASE_HEADERS };
}

/** How the Functions host (and the local host) serves it. */
export const liftLoginNameReleaseOptions: HttpFunctionOptions = {
  methods: ["DELETE"],
  route: "users/{user}/released-login-names/{loginName}",
  authLevel: "anonymous",
  handler: handleErrors(liftLoginNameRelease),
};

app.http("liftLoginNameRelease", liftLoginNameReleaseOptions);

import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readRouteParams, targetUser } from "../shared/adapters/httpInput";
import { BASE_HEADERS, refusalResponse } from "../shared/adapters/problemResponse";
import { userRoute } from "../shared/adapters/requestSchemas";
import { getServices } from "../shared/services";

/** `DELETE /api/users/{user}/throttle` (admin): lifts every verify lockout of the user. */
export async function resetVerifyThrottle(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, userRoute);
  if (!route.ok) return route.response;

  const target = await targetUser(caller.value, route.value.user);
  if (!target.ok) return target.response;
  const userId = target.value;
  const outcome = await getServices().appPasswords.resetThrottle(caller.value, userId);
  if (outcome.code !== "RESET") return refusalResponse(outcome);
  return { status: 204, headers: BASE_HEADERS };
}

/** How the Functions host (and the local host) serves it. */
export const resetVerifyThrottleOptions: HttpFunctionOptions = {
  methods: ["DELETE"],
  route: "users/{user}/throttle",
  authLevel: "anonymous",
  handler: handleErrors(resetVerifyThrottle),
};

app.http("resetVerifyThrottle", resetVerifyThrottleOptions);

import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readJsonBody, readRouteParams, targetUser } from "../shared/adapters/httpInput";
import { jsonResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { registrationBody, userRoute } from "../shared/adapters/requestSchemas";
import { issuedBody } from "../shared/adapters/responseSchemas";
import { getServices } from "../shared/services";

/**
 * `POST /api/users/{user}/registration`: the person registered for two-step verification. The first time
 * answers 201 with their first app password (while the tenant allows them); later times 200 without.
 */
export async function registration(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, userRoute);
  if (!route.ok) return route.response;
  const input = await readJsonBody(request, registrationBody, { emptyAllowed: true });
  if (!input.ok) return input.response;

  const target = await targetUser(caller.value, route.value.user);
  if (!target.ok) return target.response;
  const userId = target.value;
  const outcome = await getServices().appPasswords.register(caller.value, userId, input.value.name);
  switch (outcome.code) {
    case "REGISTERED":
      return jsonResponse(201, {
        userId,
        registeredAt: outcome.registeredAt,
        ...(outcome.appPassword && { appPassword: issuedBody(outcome.appPassword) }),
      });
    case "ALREADY_REGISTERED":
      return jsonResponse(200, { userId, registeredAt: outcome.registeredAt });
    default:
      return refusalResponse(outcome);
  }
}

/** How the Functions host (and the local host) serves it. */
export const registrationOptions: HttpFunctionOptions = {
  methods: ["POST"],
  route: "users/{user}/registration",
  authLevel: "anonymous",
  handler: handleErrors(registration),
};

app.http("registration", registrationOptions);

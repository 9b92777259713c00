import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readJsonBody, readRouteParams } from "../shared/adapters/httpInput";
import { jsonResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { appPasswordName, targetUserId, userParam } from "../shared/adapters/requestSchemas";
import { getServices } from "../shared/services";

const params = z.object({ user: userParam });
const body = z.strictObject({ name: appPasswordName.optional() });

/**
 * `POST /api/users/{user}/registration`: the person registered for two-step verification. The first time
 * answers 201 with their first app password (while the tenant allows them); later times 200 without.
 */
export async function registration(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, params);
  if (!route.ok) return route.response;
  const input = await readJsonBody(request, body, { emptyAllowed: true });
  if (!input.ok) return input.response;

  const userId = targetUserId(route.value.user, caller.value.userId);
  const outcome = await getServices().appPasswords.register(caller.value, userId, input.value.name);
  switch (outcome.code) {
    case "REGISTERED":
      return jsonResponse(201, { userId, registeredAt: outcome.registeredAt, appPassword: outcome.appPassword });
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

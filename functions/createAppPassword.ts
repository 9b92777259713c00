import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readJsonBody, readRouteParams, targetUser } from "../shared/adapters/httpInput";
import { apiPath, jsonResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { createAppPasswordBody, userRoute } from "../shared/adapters/requestSchemas";
import { issuedBody } from "../shared/adapters/responseSchemas";
import { getServices } from "../shared/services";

/**
 * `POST /api/users/{user}/app-passwords`: creates an app password, with the lifetime, protocols and address
 * ranges asked for, and shows it, this once.
 */
export async function createAppPassword(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, userRoute);
  if (!route.ok) return route.response;
  const input = await readJsonBody(request, createAppPasswordBody);
  if (!input.ok) return input.response;

  const target = await targetUser(caller.value, route.value.user);
  if (!target.ok) return target.response;
  const userId = target.value;
  const outcome = await getServices().appPasswords.create(caller.value, userId, input.value);
  if (outcome.code !== "CREATED") return refusalResponse(outcome);
  const { appPassword } = outcome;
  return jsonResponse(201, issuedBody(appPassword), {
    Location: apiPath`/api/users/${route.value.user}/app-passwords/${appPassword.id}`,
  });
}

/** How the Functions host (and the local host) serves it. */
export const createAppPasswordOptions: HttpFunctionOptions = {
  methods: ["POST"],
  route: "users/{user}/app-passwords",
  authLevel: "anonymous",
  handler: handleErrors(createAppPassword),
};

app.http("createAppPassword", createAppPasswordOptions);

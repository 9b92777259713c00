import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readJsonBody, readRouteParams } from "../shared/adapters/httpInput";
import { jsonResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { appPasswordName, targetUserId, userParam } from "../shared/adapters/requestSchemas";
import { getServices } from "../shared/services";

const params = z.object({ user: userParam });
const body = z.strictObject({ name: appPasswordName });

/** `POST /api/users/{user}/app-passwords`: creates an app password and shows it, this once. */
export async function createAppPassword(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, params);
  if (!route.ok) return route.response;
  const input = await readJsonBody(request, body);
  if (!input.ok) return input.response;

  const userId = targetUserId(route.value.user, caller.value.userId);
  const outcome = await getServices().appPasswords.create(caller.value, userId, input.value.name);
  if (outcome.code !== "CREATED") return refusalResponse(outcome);
  const { appPassword } = outcome;
  return jsonResponse(201, appPassword, {
    Location: `/api/users/${route.value.user}/app-passwords/${appPassword.id}`,
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

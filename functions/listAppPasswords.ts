import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readRouteParams } from "../shared/adapters/httpInput";
import { jsonResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { targetUserId, userParam } from "../shared/adapters/requestSchemas";
import { getServices } from "../shared/services";

const params = z.object({ user: userParam });

/** `GET /api/users/{user}/app-passwords`: names and dates, never a password or a hash. */
export async function listAppPasswords(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, params);
  if (!route.ok) return route.response;

  const userId = targetUserId(route.value.user, caller.value.userId);
  const outcome = await getServices().appPasswords.list(caller.value, userId);
  if (outcome.code !== "LISTED") return refusalResponse(outcome);
  return jsonResponse(200, { items: outcome.items, count: outcome.items.length, limit: outcome.limit });
}

/** How the Functions host (and the local host) serves it. */
export const listAppPasswordsOptions: HttpFunctionOptions = {
  methods: ["GET"],
  route: "users/{user}/app-passwords",
  authLevel: "anonymous",
  handler: handleErrors(listAppPasswords),
};

app.http("listAppPasswords", listAppPasswordsOptions);

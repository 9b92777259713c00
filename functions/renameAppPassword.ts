import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readJsonBody, readRouteParams, targetUser } from "../shared/adapters/httpInput";
import { jsonResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { appPasswordRoute, renameAppPasswordBody } from "../shared/adapters/requestSchemas";
import { itemBody } from "../shared/adapters/responseSchemas";
import { getServices } from "../shared/services";

/** `PATCH /api/users/{user}/app-passwords/{id}` `{ name }`: renames an app password; it keeps working as before. */
export async function renameAppPassword(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, appPasswordRoute);
  if (!route.ok) return route.response;
  const input = await readJsonBody(request, renameAppPasswordBody);
  if (!input.ok) return input.response;
  const target = await targetUser(caller.value, route.value.user);
  if (!target.ok) return target.response;

  const { id } = route.value;
  const outcome = await getServices().appPasswords.rename(caller.value, target.value, id, input.value.name);
  if (outcome.code !== "RENAMED") return refusalResponse(outcome);
  return jsonResponse(200, itemBody(outcome.item));
}

/** How the Functions host (and the local host) serves it. */
export const renameAppPasswordOptions: HttpFunctionOptions = {
  methods: ["PATCH"],
  route: "users/{user}/app-passwords/{id}",
  authLevel: "anonymous",
  handler: handleErrors(renameAppPassword),
};

app.http("renameAppPassword", renameAppPasswordOptions);

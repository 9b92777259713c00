import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readRouteParams, targetUser } from "../shared/adapters/httpInput";
import { BASE_HEADERS, problemResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { deleteAppPasswordRoute } from "../shared/adapters/requestSchemas";
import { getServices } from "../shared/services";

/**
 * `DELETE /api/users/{user}/app-passwords/{id}`: deletes one app password, which stops working at once;
 * without `{id}`, all of that user's.
 */
export async function deleteAppPassword(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, deleteAppPasswordRoute);
  if (!route.ok) return route.response;

  // "/app-passwords/" (an empty id, as a client bug would send) must not mean "delete them all".
  if (route.value.id === undefined && new URL(request.url).pathname.endsWith("/")) {
    return problemResponse("INVALID_REQUEST", "Invalid id.", {
      errors: [{ field: "id", message: "must not be empty" }],
    });
  }
  const { appPasswords } = getServices();
  const target = await targetUser(caller.value, route.value.user);
  if (!target.ok) return target.response;
  const userId = target.value;
  const { id } = route.value;
  const outcome =
    id === undefined
      ? await appPasswords.removeAll(caller.value, userId)
      : await appPasswords.remove(caller.value, userId, id);
  if (outcome.code !== "REMOVED") return refusalResponse(outcome);
  return { status: 204, headers: BASE_HEADERS };
}

/** How the Functions host (and the local host) serves it. */
export const deleteAppPasswordOptions: HttpFunctionOptions = {
  methods: ["DELETE"],
  route: "users/{user}/app-passwords/{id?}",
  authLevel: "anonymous",
  handler: handleErrors(deleteAppPassword),
};

app.http("deleteAppPassword", deleteAppPasswordOptions);

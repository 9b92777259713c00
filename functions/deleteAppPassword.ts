import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import { handleErrors } from "../shared/adapters/handleErrors";
import { authenticate, readRouteParams } from "../shared/adapters/httpInput";
import { BASE_HEADERS, problemResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { appPasswordIdParam, targetUserId, userParam } from "../shared/adapters/requestSchemas";
import { getServices } from "../shared/services";

const params = z.object({ user: userParam, id: appPasswordIdParam.optional() });

/**
 * `DELETE /api/users/{user}/app-passwords/{id}`: deletes one app password, which stops working at once;
 * without `{id}`, all of that user's.
 */
export async function deleteAppPassword(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authenticate(request);
  if (!caller.ok) return caller.response;
  const route = readRouteParams(request, params);
  if (!route.ok) return route.response;

  // "/app-passwords/" (an empty id, as a client bug would send) must not mean "delete them all".
  if (route.value.id === undefined && new URL(request.url).pathname.endsWith("/")) {
    return problemResponse("INVALID_REQUEST", "Invalid id.", {
      errors: [{ field: "id", message: "must not be empty" }],
    });
  }
  const { appPasswords } = getServices();
  const userId = targetUserId(route.value.user, caller.value.userId);
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

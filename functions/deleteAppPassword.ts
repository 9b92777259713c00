import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { deleteAppPasswordRoute } from "../shared/adapters/requestSchemas";

/**
 * `DELETE /api/users/{user}/app-passwords/{id}`: deletes one app password, which stops working at once;
 * without `{id}`, all of that user's.
 */
export const deleteAppPassword = defineEndpoint(
  {
    name: "deleteAppPassword",
    method: "DELETE",
    route: "users/{user}/app-passwords/{id?}",
    summary: "Delete one app password, or without {id} all of the user's; they stop working at once",
    caller: "bearer",
    params: deleteAppPasswordRoute,
    answers: { 204: { description: "Deleted" } },
    problems: ["APP_PASSWORDS_DISABLED", "APP_PASSWORD_NOT_FOUND", "CONTENTION"],
  },
  async ({ services, caller, target, params, request }) => {
    // "/app-passwords/" (an empty id, as a client bug would send) must not mean "delete them all".
    if (params.id === undefined && new URL(request.url).pathname.endsWith("/")) {
      return {
        problem: "INVALID_REQUEST",
        detail: "Invalid id.",
        extras: { errors: [{ field: "id", message: "must not be empty" }] },
      };
    }
    const outcome =
      params.id === undefined
        ? await services.appPasswords.removeAll(caller, target)
        : await services.appPasswords.remove(caller, target, params.id);
    return outcome.code === "REMOVED" ? { status: 204 } : outcome;
  },
);

/** How the Functions host serves it (the local host and tests serve `deleteAppPassword` with their own services). */
export const deleteAppPasswordOptions = deleteAppPassword.serve(getServices);

app.http("deleteAppPassword", deleteAppPasswordOptions);

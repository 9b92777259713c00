import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { appPasswordRoute, renameAppPasswordBody } from "../shared/adapters/requestSchemas";
import { appPasswordItem, itemBody } from "../shared/adapters/responseSchemas";

/** `PATCH /api/users/{user}/app-passwords/{id}` `{ name }`: renames an app password; it keeps working as before. */
export const renameAppPassword = defineEndpoint(
  {
    name: "renameAppPassword",
    method: "PATCH",
    route: "users/{user}/app-passwords/{id}",
    summary: "Rename an app password; it keeps working as before",
    caller: "bearer",
    params: appPasswordRoute,
    body: renameAppPasswordBody,
    answers: { 200: { description: "Renamed", schema: appPasswordItem } },
    problems: ["APP_PASSWORDS_DISABLED", "APP_PASSWORD_NOT_FOUND"],
  },
  async ({ services, caller, target, params, body }) => {
    const outcome = await services.appPasswords.rename(caller, target, params.id, body.name);
    if (outcome.code !== "RENAMED") return outcome;
    return { status: 200, body: itemBody(outcome.item) };
  },
);

/** How the Functions host serves it (the local host and tests serve `renameAppPassword` with their own services). */
export const renameAppPasswordOptions = renameAppPassword.serve(getServices);

app.http("renameAppPassword", renameAppPasswordOptions);

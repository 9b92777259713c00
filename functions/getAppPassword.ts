import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { appPasswordRoute } from "../shared/adapters/requestSchemas";
import { appPasswordItem, itemBody } from "../shared/adapters/responseSchemas";

/** `GET /api/users/{user}/app-passwords/{id}`: one app password, never its password or hash. */
export const getAppPassword = defineEndpoint(
  {
    name: "getAppPassword",
    method: "GET",
    route: "users/{user}/app-passwords/{id}",
    summary: "One app password",
    caller: "bearer",
    params: appPasswordRoute,
    answers: { 200: { description: "The app password, never its password or hash", schema: appPasswordItem } },
    problems: ["APP_PASSWORDS_DISABLED", "APP_PASSWORD_NOT_FOUND"],
  },
  async ({ services, caller, target, params }) => {
    const outcome = await services.appPasswords.get(caller, target, params.id);
    if (outcome.code !== "FOUND") return outcome;
    return { status: 200, body: itemBody(outcome.item) };
  },
);

/** How the Functions host serves it (the local host and tests serve `getAppPassword` with their own services). */
export const getAppPasswordOptions = getAppPassword.serve(getServices);

app.http("getAppPassword", getAppPasswordOptions);

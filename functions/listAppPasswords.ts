import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { userRoute } from "../shared/adapters/requestSchemas";
import { appPasswordList, itemBody } from "../shared/adapters/responseSchemas";

/** `GET /api/users/{user}/app-passwords`: names and dates, never a password or a hash. */
export const listAppPasswords = defineEndpoint(
  {
    name: "listAppPasswords",
    method: "GET",
    route: "users/{user}/app-passwords",
    summary: "List a user's app passwords, oldest first",
    caller: "bearer",
    params: userRoute,
    answers: { 200: { description: "The app passwords, never a password or hash", schema: appPasswordList } },
    problems: ["APP_PASSWORDS_DISABLED"],
  },
  async ({ services, caller, target }) => {
    const outcome = await services.appPasswords.list(caller, target);
    if (outcome.code !== "LISTED") return outcome;
    return {
      status: 200,
      body: { items: outcome.items.map(itemBody), count: outcome.items.length, limit: outcome.limit },
    };
  },
);

/** How the Functions host serves it (the local host and tests serve `listAppPasswords` with their own services). */
export const listAppPasswordsOptions = listAppPasswords.serve(getServices);

app.http("listAppPasswords", listAppPasswordsOptions);

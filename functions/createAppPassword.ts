import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { apiPath } from "../shared/adapters/problemResponse";
import { createAppPasswordBody, userRoute } from "../shared/adapters/requestSchemas";
import { issuedAppPassword, issuedBody } from "../shared/adapters/responseSchemas";
import { pageAddressOf } from "../shared/notices/pageAddress";

/**
 * `POST /api/users/{user}/app-passwords`: creates an app password, with the lifetime, protocols and address
 * ranges asked for, and shows it, this once.
 */
export const createAppPassword = defineEndpoint(
  {
    name: "createAppPassword",
    method: "POST",
    route: "users/{user}/app-passwords",
    summary: "Create an app password, shown this once",
    caller: "bearer",
    params: userRoute,
    body: createAppPasswordBody,
    answers: { 201: { description: "Created; `Location` names it", schema: issuedAppPassword } },
    problems: [
      "SELF_SERVICE_ONLY",
      "APP_PASSWORDS_DISABLED",
      "REGISTRATION_REQUIRED",
      "APP_PASSWORD_LIMIT_REACHED",
      "LOGIN_NAME_IN_USE",
      "LIFETIME_TOO_LONG",
      "CONTENTION",
    ],
  },
  async ({ services, request, caller, target, params, body }) => {
    const outcome = await services.appPasswords.create(caller, target, {
      ...body,
      fromIp: pageAddressOf(request.headers),
    });
    if (outcome.code !== "CREATED") return outcome;
    const { appPassword } = outcome;
    return {
      status: 201,
      body: issuedBody(appPassword),
      headers: { Location: apiPath`/api/users/${params.user}/app-passwords/${appPassword.id}` },
    };
  },
);

/** How the Functions host serves it (the local host and tests serve `createAppPassword` with their own services). */
export const createAppPasswordOptions = createAppPassword.serve(getServices);

app.http("createAppPassword", createAppPasswordOptions);

import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { loginNameRoute } from "../shared/adapters/requestSchemas";

/**
 * `DELETE /api/login-names/{loginName}` (admin): frees a login name, so that the next account whose token
 * proves it can claim it (a name reassigned in Entra ID while its former holder's account remains).
 */
export const releaseLoginName = defineEndpoint(
  {
    name: "releaseLoginName",
    method: "DELETE",
    route: "login-names/{loginName}",
    summary: "Free a login name, so that the next account whose token proves it can claim it (administrators)",
    caller: "bearer",
    params: loginNameRoute,
    answers: { 204: { description: "Released" } },
    problems: ["FORBIDDEN", "LOGIN_NAME_NOT_FOUND"],
  },
  async ({ services, caller, params }) => {
    const outcome = await services.appPasswords.releaseLoginName(caller, params.loginName);
    return outcome.code === "RELEASED" ? { status: 204 } : outcome;
  },
);

/** How the Functions host serves it (the local host and tests serve `releaseLoginName` with their own services). */
export const releaseLoginNameOptions = releaseLoginName.serve(getServices);

app.http("releaseLoginName", releaseLoginNameOptions);

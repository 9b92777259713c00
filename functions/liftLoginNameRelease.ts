import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { releasedLoginNameRoute } from "../shared/adapters/requestSchemas";

/**
 * `DELETE /api/users/{user}/released-login-names/{loginName}` (admin): lifts the release of a login name from
 * that account, so it may claim the name again (a name Entra ID gave back to the person it was taken from).
 */
export const liftLoginNameRelease = defineEndpoint(
  {
    name: "liftLoginNameRelease",
    method: "DELETE",
    route: "users/{user}/released-login-names/{loginName}",
    summary: "Let an account claim again a login name an administrator released from it (administrators)",
    caller: "bearer",
    params: releasedLoginNameRoute,
    answers: { 204: { description: "The account may claim the name again" } },
    problems: ["LOGIN_NAME_NOT_FOUND"],
  },
  async ({ services, caller, target, params }) => {
    const outcome = await services.appPasswords.liftLoginNameRelease(caller, target, params.loginName);
    return outcome.code === "LIFTED" ? { status: 204 } : outcome;
  },
);

/** How the Functions host serves it (the local host and tests serve `liftLoginNameRelease` with their own services). */
export const liftLoginNameReleaseOptions = liftLoginNameRelease.serve(getServices);

app.http("liftLoginNameRelease", liftLoginNameReleaseOptions);

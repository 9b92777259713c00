import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { userRoute } from "../shared/adapters/requestSchemas";

/** `DELETE /api/users/{user}/throttle` (admin): lifts every verify lockout of the user. */
export const resetVerifyThrottle = defineEndpoint(
  {
    name: "resetVerifyThrottle",
    method: "DELETE",
    route: "users/{user}/throttle",
    summary: "Lift every verify lockout of a user (administrators)",
    caller: "bearer",
    params: userRoute,
    answers: { 204: { description: "Reset" } },
    problems: [],
  },
  async ({ services, caller, target }) => {
    const outcome = await services.appPasswords.resetThrottle(caller, target);
    return outcome.code === "RESET" ? { status: 204 } : outcome;
  },
);

/** How the Functions host serves it (the local host and tests serve `resetVerifyThrottle` with their own services). */
export const resetVerifyThrottleOptions = resetVerifyThrottle.serve(getServices);

app.http("resetVerifyThrottle", resetVerifyThrottleOptions);

import { app } from "@azure/functions";
import { z } from "zod";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { pageAddressOf } from "../shared/notices/pageAddress";
import { getServices } from "../shared/services";
import { registrationBody, userRoute } from "../shared/adapters/requestSchemas";
import { issuedAppPassword, issuedBody, timestamp } from "../shared/adapters/responseSchemas";

/** Its answer: when the person registered, and the first time their first app password. */
const registrationAnswer = z
  .object({ userId: z.string(), registeredAt: timestamp, appPassword: issuedAppPassword.optional() })
  .meta({ id: "Registration" });

/**
 * `POST /api/users/{user}/registration`: the person registered for two-step verification. The first time
 * answers 201 with their first app password (while the tenant allows them); later times 200 without.
 */
export const registration = defineEndpoint(
  {
    name: "registration",
    method: "POST",
    route: "users/{user}/registration",
    summary: "Record the registration for two-step verification; the first time, get the first app password",
    caller: "bearer",
    params: userRoute,
    body: registrationBody,
    bodyRequired: false,
    answers: {
      201: { description: "Registered now, with the first app password (shown this once)", schema: registrationAnswer },
      200: { description: "Registered before", schema: registrationAnswer },
    },
    problems: ["SELF_SERVICE_ONLY", "LOGIN_NAME_IN_USE", "CONTENTION"],
  },
  async ({ services, request, caller, target, body }) => {
    const outcome = await services.appPasswords.register(caller, target, body.name, pageAddressOf(request.headers));
    switch (outcome.code) {
      case "REGISTERED":
        return {
          status: 201,
          body: {
            userId: target,
            registeredAt: outcome.registeredAt.toISOString(),
            ...(outcome.appPassword && { appPassword: issuedBody(outcome.appPassword) }),
          },
        };
      case "ALREADY_REGISTERED":
        return { status: 200, body: { userId: target, registeredAt: outcome.registeredAt.toISOString() } };
      default:
        return outcome;
    }
  },
);

/** How the Functions host serves it (the local host and tests serve `registration` with their own services). */
export const registrationOptions = registration.serve(getServices);

app.http("registration", registrationOptions);

import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { verifyRequestBody } from "../shared/adapters/requestSchemas";
import { verifyAnswer } from "../shared/adapters/responseSchemas";

/**
 * `POST /api/verify` (function key): is this one of the user's app passwords? 200 with `valid: true|false`
 * for a well-formed request (a wrong password and an unknown user look the same); 429 when throttled.
 */
export const verifyAppPassword = defineEndpoint(
  {
    name: "verifyAppPassword",
    method: "POST",
    route: "verify",
    summary: "Verify a mail client's login (mail gateways, with a function key)",
    caller: "functionKey",
    body: verifyRequestBody,
    answers: { 200: { description: "`valid: true` allows, `valid: false` denies", schema: verifyAnswer } },
    problems: ["VERIFY_THROTTLED", "CONTENTION"],
  },
  async ({ services, body }) => {
    const outcome = await services.appPasswords.verify(body);
    switch (outcome.code) {
      case "VALID": {
        const { userId, loginName, appPasswordId } = outcome;
        return { status: 200, body: { valid: true as const, userId, loginName, appPasswordId } };
      }
      case "INVALID":
        return { status: 200, body: { valid: false as const } };
      case "VERIFY_THROTTLED":
        return {
          problem: "VERIFY_THROTTLED",
          detail: "Too many failed sign-ins for this user from this address.",
          extras: { retryAfterSeconds: outcome.retryAfterSeconds },
        };
      case "CONTENTION":
        return outcome;
    }
  },
);

/** How the Functions host serves it (the local host and tests serve `verifyAppPassword` with their own services). */
export const verifyAppPasswordOptions = verifyAppPassword.serve(getServices);

app.http("verifyAppPassword", verifyAppPasswordOptions);

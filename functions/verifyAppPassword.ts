import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { readJsonBody } from "../shared/adapters/httpInput";
import { jsonResponse, problemResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { verifyRequestBody } from "../shared/adapters/requestSchemas";
import { getServices } from "../shared/services";

/**
 * `POST /api/verify` (function key): is this one of the user's app passwords? 200 with `valid: true|false`
 * for a well-formed request (a wrong password and an unknown user look the same); 429 when throttled.
 */
export async function verifyAppPassword(request: HttpRequest): Promise<HttpResponseInit> {
  const input = await readJsonBody(request, verifyRequestBody);
  if (!input.ok) return input.response;
  const outcome = await getServices().appPasswords.verify(input.value);
  switch (outcome.code) {
    case "VALID":
      return jsonResponse(200, {
        valid: true,
        userId: outcome.userId,
        loginName: outcome.loginName,
        appPasswordId: outcome.appPasswordId,
      });
    case "INVALID":
      return jsonResponse(200, { valid: false });
    case "VERIFY_THROTTLED":
      return problemResponse("VERIFY_THROTTLED", "Too many failed sign-ins for this user from this address.", {
        retryAfterSeconds: outcome.retryAfterSeconds,
      });
    case "CONTENTION":
      return refusalResponse(outcome);
  }
}

/** How the Functions host (and the local host) serves it. */
export const verifyAppPasswordOptions: HttpFunctionOptions = {
  methods: ["POST"],
  route: "verify",
  authLevel: "function",
  handler: handleErrors(verifyAppPassword),
};

app.http("verifyAppPassword", verifyAppPasswordOptions);

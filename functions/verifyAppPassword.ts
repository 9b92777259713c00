import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import { handleErrors } from "../shared/adapters/handleErrors";
import { callerAddress, readJsonBody } from "../shared/adapters/httpInput";
import { jsonResponse, problemResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { PROTOCOLS } from "../shared/domain/restrictions";
import { getServices } from "../shared/services";

const body = z.strictObject({
  user: z
    .string()
    .trim()
    .min(1)
    .max(256)
    .refine((user) => user.isWellFormed(), "must be valid Unicode"),
  password: z.string().min(1).max(256),
  protocol: z.string().max(32).optional(),
  clientIp: z.union([z.ipv4(), z.ipv6()]).optional(),
});

/**
 * `POST /api/verify` (function key): is this one of the user's app passwords? 200 with `valid: true|false`
 * for a well-formed request (a wrong password and an unknown user look the same); 429 when throttled.
 */
export async function verifyAppPassword(request: HttpRequest): Promise<HttpResponseInit> {
  const input = await readJsonBody(request, body);
  if (!input.ok) return input.response;
  const { user, password, clientIp, protocol } = input.value;
  const outcome = await getServices().appPasswords.verify({
    user,
    password,
    clientIp: clientIp ?? callerAddress(request),
    protocol: PROTOCOLS.find((known) => known === protocol?.toLowerCase()) ?? "other",
  });
  switch (outcome.code) {
    case "VALID":
      return jsonResponse(200, { valid: true, userId: outcome.userId, appPasswordId: outcome.appPasswordId });
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

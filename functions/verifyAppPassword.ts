import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import { normalizeProtocol } from "../shared/domain/protocols";
import { handleErrors } from "../shared/adapters/handleErrors";
import { readJsonBody } from "../shared/adapters/httpInput";
import { jsonResponse, problemResponse, refusalResponse } from "../shared/adapters/problemResponse";
import { getServices } from "../shared/services";

/**
 * What a gateway sends. Lenient where a gateway cannot do better: fields it adds are ignored, and a login
 * name or password that could never match is a wrong password (200 `valid: false`), not a 400 the gateway
 * would report as an outage. Strict where the gateway is misconfigured: `user` and `clientIp` are required.
 */
export const verifyRequestBody = z.object({
  user: z.string().trim(),
  password: z.string(),
  clientIp: z.union([z.ipv4(), z.ipv6()], { error: "must be the mail client's IPv4 or IPv6 address" }),
  protocol: z
    .unknown()
    .optional()
    .transform((value) => normalizeProtocol(typeof value === "string" ? value : undefined)),
});

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

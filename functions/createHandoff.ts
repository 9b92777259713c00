import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { handoffBody, handoffCreated } from "../shared/adapters/handoffSchemas";
import { userRoute } from "../shared/adapters/requestSchemas";
import { HANDOFF_RULES } from "../shared/domain/handoffs";

/**
 * `POST /api/users/{user}/handoffs` `{ ciphertext, iv }`: stores a device set-up the page encrypted, for the
 * owner's phone to read once within 10 minutes. Only for oneself; the key never reaches the service.
 */
export const createHandoff = defineEndpoint(
  {
    name: "createHandoff",
    method: "POST",
    route: "users/{user}/handoffs",
    summary: "Store an encrypted device set-up for one read by the owner's phone within 10 minutes",
    caller: "bearer",
    params: userRoute,
    body: handoffBody,
    bodyLimit: { bytes: HANDOFF_RULES.maxRequestBytes, problem: "HANDOFF_TOO_LARGE" },
    answers: { 201: { description: "Stored; read it once at /handoffs/{id}", schema: handoffCreated } },
    problems: ["SELF_SERVICE_ONLY", "HANDOFF_LIMIT_REACHED", "CONTENTION"],
  },
  async ({ services, caller, target, body }) => {
    const outcome = await services.handoffs.create(caller, target, body);
    if (outcome.code !== "HANDED_OFF") return outcome;
    return { status: 201, body: { id: outcome.id, expiresAt: outcome.expiresAt.toISOString() } };
  },
);

/** How the Functions host serves it (the local host and tests serve `createHandoff` with their own services). */
export const createHandoffOptions = createHandoff.serve(getServices);

app.http("createHandoff", createHandoffOptions);

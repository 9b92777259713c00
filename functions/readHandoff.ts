import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { handoffCiphertext, handoffRoute } from "../shared/adapters/handoffSchemas";

/**
 * `GET /api/handoffs/{handoffId}`, anonymous: the ciphertext of a hand-off, once. The read deletes it; the
 * phone holds the key, in the link's fragment.
 */
export const readHandoff = defineEndpoint(
  {
    name: "readHandoff",
    method: "GET",
    route: "handoffs/{handoffId}",
    summary: "Read a hand-off's ciphertext once; it is deleted as it is answered",
    caller: "anonymous",
    params: handoffRoute,
    answers: { 200: { description: "The ciphertext; the hand-off is gone now", schema: handoffCiphertext } },
    problems: ["HANDOFF_NOT_FOUND"],
  },
  async ({ services, params }) => {
    const outcome = await services.handoffs.read(params.handoffId);
    if (outcome.code !== "READ") return outcome;
    return { status: 200, body: { ciphertext: outcome.ciphertext, iv: outcome.iv } };
  },
);

/** How the Functions host serves it (the local host and tests serve `readHandoff` with their own services). */
export const readHandoffOptions = readHandoff.serve(getServices);

app.http("readHandoff", readHandoffOptions);

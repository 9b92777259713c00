import { app } from "@azure/functions";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { ownHandoffRoute } from "../shared/adapters/handoffSchemas";

/** `DELETE /api/users/{user}/handoffs/{handoffId}`: the owner takes back a hand-off nobody has read. */
export const deleteHandoff = defineEndpoint(
  {
    name: "deleteHandoff",
    method: "DELETE",
    route: "users/{user}/handoffs/{handoffId}",
    summary: "Delete an unread hand-off of one's own",
    caller: "bearer",
    params: ownHandoffRoute,
    answers: { 204: { description: "Deleted" } },
    problems: ["SELF_SERVICE_ONLY", "HANDOFF_NOT_FOUND"],
  },
  async ({ services, caller, target, params }) => {
    const outcome = await services.handoffs.remove(caller, target, params.handoffId);
    if (outcome.code !== "DELETED") return outcome;
    return { status: 204 };
  },
);

/** How the Functions host serves it (the local host and tests serve `deleteHandoff` with their own services). */
export const deleteHandoffOptions = deleteHandoff.serve(getServices);

app.http("deleteHandoff", deleteHandoffOptions);

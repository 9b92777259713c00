import { app } from "@azure/functions";
import { defineTimer } from "../shared/adapters/defineTimer";
import { getServices } from "../shared/services";

/**
 * Timer, hourly: deletes the hand-offs nobody read before they expired. A read or a new hand-off of the same
 * person deletes the ones it finds expired; this takes the rest, so no ciphertext outlives its 10 minutes by
 * much more than an hour. A run that fails (storage unavailable) is logged by the host; the next one picks up
 * everything it left.
 */
export const cleanUpHandoffs = defineTimer(
  // Every hour at minute 23.
  { name: "cleanUpHandoffs", schedule: "0 23 * * * *" },
  async (services, context) => {
    const deleted = await services.handoffs.sweep();
    context.log(`Deleted ${deleted} expired hand-offs.`);
  },
);

/** How the Functions host runs it. */
export const cleanUpHandoffsOptions = cleanUpHandoffs.serve(getServices);

app.timer("cleanUpHandoffs", cleanUpHandoffsOptions);

import { app, type InvocationContext, type Timer, type TimerFunctionOptions } from "@azure/functions";
import { getServices } from "../shared/services";

/**
 * Timer, hourly: deletes the hand-offs nobody read before they expired. A read or a new hand-off of the same
 * person deletes the ones it finds expired; this takes the rest, so no ciphertext outlives its 10 minutes by
 * much more than an hour.
 */
export async function cleanUpHandoffs(_timer: Timer, context: InvocationContext): Promise<void> {
  const deleted = await getServices().handoffs.sweep();
  context.log(`Deleted ${deleted} expired hand-offs.`);
}

/** How the Functions host (and, when asked, the local host) runs it. */
export const cleanUpHandoffsOptions: TimerFunctionOptions = {
  // Every hour at minute 23.
  schedule: "0 23 * * * *",
  handler: cleanUpHandoffs,
};

app.timer("cleanUpHandoffs", cleanUpHandoffsOptions);

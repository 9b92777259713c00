import { app, type InvocationContext, type Timer, type TimerFunctionOptions } from "@azure/functions";
import { getServices } from "../shared/services";

/**
 * Timer, daily: deletes the verify throttling rows nobody wrote to for 31 days
 * (`THROTTLE_RULES.forgetQuietAfterMs`). Every login name ever tried leaves one, and Table Storage has no expiry.
 * A run that fails (storage unavailable) is logged by the host; the next one picks up everything it left.
 */
export async function forgetQuietThrottles(_timer: Timer, context: InvocationContext): Promise<void> {
  const forgotten = await getServices().appPasswords.forgetQuietThrottles();
  context.log(`Deleted ${forgotten} verify throttling rows unwritten for 31 days.`);
}

/** How the Functions host (and, when asked, the local host) runs it. */
export const forgetQuietThrottlesOptions: TimerFunctionOptions = {
  // Every day at 03:17 UTC. A run missed while the app was stopped is made up when it starts again.
  schedule: "0 17 3 * * *",
  handler: forgetQuietThrottles,
};

app.timer("forgetQuietThrottles", forgetQuietThrottlesOptions);

import { app } from "@azure/functions";
import { defineTimer } from "../shared/adapters/defineTimer";
import { getServices } from "../shared/services";

/**
 * Timer, daily: deletes the verify throttling rows nobody wrote to for 31 days
 * (`THROTTLE_RULES.forgetQuietAfterMs`). Every login name ever tried leaves one, and Table Storage has no expiry.
 * A run that fails (storage unavailable) is logged by the host; the next one picks up everything it left.
 */
export const forgetQuietThrottles = defineTimer(
  // Every day at 03:17 UTC.
  { name: "forgetQuietThrottles", schedule: "0 17 3 * * *" },
  async (services, context) => {
    const forgotten = await services.appPasswords.forgetQuietThrottles();
    context.log(`Deleted ${forgotten} verify throttling rows unwritten for 31 days.`);
  },
);

/** How the Functions host runs it. */
export const forgetQuietThrottlesOptions = forgetQuietThrottles.serve(getServices);

app.timer("forgetQuietThrottles", forgetQuietThrottlesOptions);

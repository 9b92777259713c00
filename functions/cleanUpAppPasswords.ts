import { app } from "@azure/functions";
import { defineTimer } from "../shared/adapters/defineTimer";
import { getServices } from "../shared/services";

/**
 * Timer, daily: deletes app passwords 30 days after they expired and, when the tenant sets
 * `APP_PASSWORDS_DELETE_UNUSED_AFTER_DAYS`, those unused that long (each uncounted with it and logged in its
 * owner's activity), and activity older than 90 days. A run that fails (storage unavailable) is logged by the
 * host; the next one picks up everything it left.
 */
export const cleanUpAppPasswords = defineTimer(
  // Every day at 03:47 UTC, apart from forgetQuietThrottles.
  { name: "cleanUpAppPasswords", schedule: "0 47 3 * * *" },
  async (services, context) => {
    const report = await services.appPasswords.cleanUp();
    context.log(
      `Deleted ${report.expired} expired and ${report.unused} unused app passwords, and ${report.events} activity events older than 90 days.`,
    );
    if (report.contended > 0) {
      context.warn(`Left the app passwords of ${report.contended} users for the next run: they kept changing.`);
    }
  },
);

/** How the Functions host runs it. */
export const cleanUpAppPasswordsOptions = cleanUpAppPasswords.serve(getServices);

app.timer("cleanUpAppPasswords", cleanUpAppPasswordsOptions);

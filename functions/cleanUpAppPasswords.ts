import { app, type InvocationContext, type Timer, type TimerFunctionOptions } from "@azure/functions";
import { getServices } from "../shared/services";

/**
 * Timer, daily: deletes app passwords 30 days after they expired and, when the tenant sets
 * `APP_PASSWORDS_DELETE_UNUSED_AFTER_DAYS`, those unused that long (each uncounted with it and logged in its
 * owner's activity), and activity older than 90 days. A run that fails (storage unavailable) is logged by the
 * host; the next one picks up everything it left.
 */
export async function cleanUpAppPasswords(_timer: Timer, context: InvocationContext): Promise<void> {
  const report = await getServices().appPasswords.cleanUp();
  context.log(
    `Deleted ${report.expired} expired and ${report.unused} unused app passwords, and ${report.events} activity events older than 90 days.`,
  );
  if (report.contended > 0) {
    context.warn(`Left the app passwords of ${report.contended} users for the next run: they kept changing.`);
  }
}

/** How the Functions host (and, when asked, the local host) runs it. */
export const cleanUpAppPasswordsOptions: TimerFunctionOptions = {
  // Every day at 03:47 UTC, apart from forgetQuietThrottles. A run missed while the app was stopped is made up.
  schedule: "0 47 3 * * *",
  handler: cleanUpAppPasswords,
};

app.timer("cleanUpAppPasswords", cleanUpAppPasswordsOptions);

import { app } from "@azure/functions";
import { defineTimer } from "../shared/adapters/defineTimer";
import { getServices } from "../shared/services";

/**
 * Timer, daily: queues a notice for each app password that expires in seven days. Each notice's id is fixed
 * by the app password and its expiry, so a run made up or repeated sends nothing twice. Then forgets the ids
 * of notices sent more than 30 days ago.
 */
export const noticeExpiring = defineTimer(
  // Every day at 07:05 UTC.
  { name: "noticeExpiring", schedule: "0 5 7 * * *" },
  async (services, context) => {
    const now = new Date();
    const queued = await services.noticeExpiring(now);
    const forgotten = await services.forgetSentNotices(now);
    context.log(`Queued ${queued} expiry notices; forgot ${forgotten} notices sent more than 30 days ago.`);
  },
);

/** How the Functions host runs it. */
export const noticeExpiringOptions = noticeExpiring.serve(getServices);

app.timer("noticeExpiring", noticeExpiringOptions);

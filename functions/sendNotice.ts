import { app } from "@azure/functions";
import { defineQueue } from "../shared/adapters/defineQueue";
import { NOTICE_QUEUE } from "../shared/notices/noticeConfig";
import { noticeSchema } from "../shared/notices/noticeSchema";
import { getServices } from "../shared/services";

/**
 * Queue `app-password-notices`: mails one notice to the person, at most once by its id. A send that fails
 * throws, so the host delivers it again; after `maxDequeueCount` tries it goes to the poison queue.
 */
export const sendNotice = defineQueue(
  { name: "sendNotice", queueName: NOTICE_QUEUE },
  async (message, services, context) => {
    const parsed = noticeSchema.safeParse(message);
    if (!parsed.success) {
      context.warn("Dropped a notice that is not one.");
      return;
    }
    const outcome = await services.deliverNotice(parsed.data);
    context.log(`Notice ${parsed.data.id} (${parsed.data.kind}): ${outcome}.`);
  },
);

/** How the Functions host runs it. */
export const sendNoticeOptions = sendNotice.serve(getServices);

app.storageQueue("sendNotice", sendNoticeOptions);

import type { QueueClient } from "@azure/storage-queue";
import type { TokenCredential } from "@azure/identity";
import type { Notices } from "../domain/notices";
import { noticeOf, type Notice } from "./notice";

/** Where the notices' queue is: a connection string (Azurite) or the queue service's endpoint and credential. */
export type QueueLocation =
  | { readonly connectionString: string; readonly queueName: string }
  | { readonly endpoint: string; readonly queueName: string; readonly credential: TokenCredential };

/**
 * The queue's client. The SDK is required here, at the first notice, not when the function app starts; required,
 * not imported, so it is the CommonJS build and shares the @azure/core-* modules the table client loaded.
 */
function connectNoticeQueue(location: QueueLocation): QueueClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { QueueClient } = require("@azure/storage-queue") as typeof import("@azure/storage-queue");
  const retryOptions = { maxTries: 2, tryTimeoutInMs: 2000, retryDelayInMs: 50, maxRetryDelayInMs: 200 };
  return "connectionString" in location
    ? new QueueClient(location.connectionString, location.queueName, { retryOptions })
    : new QueueClient(`${location.endpoint.replace(/\/+$/, "")}/${location.queueName}`, location.credential, {
        retryOptions,
      });
}

/** A notice as the Functions host's queue trigger reads a message: JSON, base64 (its default encoding). */
export const encodeNotice = (notice: Notice) => Buffer.from(JSON.stringify(notice)).toString("base64");

/** Puts notices on the queue; what a failure to do so becomes. */
export interface NoticeQueue extends Notices {
  /** Puts one notice on the queue; throws if the queue cannot be reached. */
  enqueue(notice: Notice): Promise<void>;
}

/**
 * The domain's `Notices` over an Azure Storage queue: each event that tells the person something becomes one
 * message, keyed by the event's id. A queue that cannot be reached loses the notice, never the change: `onLost`
 * is told (it logs the kind and the error, never a secret — a notice holds none).
 */
export function createQueueNotices(
  location: QueueLocation,
  onLost: (notice: Notice, error: Error) => void,
): NoticeQueue {
  let ready: Promise<QueueClient> | undefined;
  const enqueue = async (notice: Notice) => {
    ready ??= (async () => {
      const queue = connectNoticeQueue(location);
      await queue.createIfNotExists();
      return queue;
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    await (await ready).sendMessage(encodeNotice(notice));
  };
  return {
    enqueue,
    async emit(owner, event, eventId) {
      // Unique across people: the event's id is unique within its owner's activity.
      const notice = noticeOf(`${owner}_${eventId}`, owner, event);
      if (!notice) return;
      try {
        await enqueue(notice);
      } catch (error) {
        onLost(notice, error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

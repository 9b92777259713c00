import type { InvocationContext, StorageQueueFunctionOptions } from "@azure/functions";
import type { QueueClient } from "@azure/storage-queue";

/** The host's dequeue limit (host.json `extensions.queues.maxDequeueCount`), read here the same way. */
export const MAX_DEQUEUE_COUNT = 5;

/** What one pass over a queue did. */
export interface QueuePass {
  readonly done: number;
  readonly failed: number;
  readonly poisoned: number;
}

/**
 * One pass of the Functions host's queue trigger over `queue`: each visible message is decoded (base64 JSON,
 * the host's default) and handed to the function; one that ran is deleted; one that threw is made visible
 * again, or, at its `maxDequeueCount`-th try, moved to `<queue>-poison` and logged.
 */
export async function pollQueueOnce(
  queue: QueueClient,
  poison: QueueClient,
  options: StorageQueueFunctionOptions,
  context: () => InvocationContext,
  maxDequeueCount = MAX_DEQUEUE_COUNT,
): Promise<QueuePass> {
  await queue.createIfNotExists();
  const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
  const pass = { done: 0, failed: 0, poisoned: 0 };
  for (const message of receivedMessageItems) {
    const ctx = context();
    try {
      const text = Buffer.from(message.messageText, "base64").toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: the host hands such a message over as a string.
      }
      await options.handler(body, ctx);
      await queue.deleteMessage(message.messageId, message.popReceipt);
      pass.done++;
    } catch (error) {
      if (message.dequeueCount >= maxDequeueCount) {
        await poison.createIfNotExists();
        await poison.sendMessage(message.messageText);
        await queue.deleteMessage(message.messageId, message.popReceipt);
        ctx.error(`Message ${message.messageId} moved to ${poison.name} after ${message.dequeueCount} tries.`);
        pass.poisoned++;
      } else {
        await queue.updateMessage(message.messageId, message.popReceipt, undefined, 0);
        ctx.warn(`Message ${message.messageId} failed (try ${message.dequeueCount}): ${String(error)}`);
        pass.failed++;
      }
    }
  }
  return pass;
}

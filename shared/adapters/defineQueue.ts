import type { InvocationContext, StorageQueueFunctionOptions } from "@azure/functions";
import type { Services, ServicesProvider } from "../services";

/** The setting naming the storage account of the function's queues (the host's own). */
export const QUEUE_CONNECTION = "AzureWebJobsStorage";

/** A queue-triggered function as defined: its name, its queue, and its `app.storageQueue` options. */
export interface QueueDefinition {
  readonly name: string;
  readonly queueName: string;
  /** Its `app.storageQueue` options, running with the services `services` gives at each message. */
  serve(services: ServicesProvider): StorageQueueFunctionOptions;
}

/**
 * Declares a queue-triggered function once: its queue, then what it does with one message (the host decodes
 * it from base64 and JSON). A message whose run throws is delivered again, up to the host's
 * `extensions.queues.maxDequeueCount`, then moved to `<queue>-poison`.
 */
export function defineQueue(
  definition: { readonly name: string; readonly queueName: string },
  run: (message: unknown, services: Services, context: InvocationContext) => Promise<void>,
): QueueDefinition {
  return {
    ...definition,
    serve: (services) => ({
      queueName: definition.queueName,
      connection: QUEUE_CONNECTION,
      handler: (message, context) => run(message, services(), context),
    }),
  };
}

import type { TestProject } from "vitest/node";
import { startAzurite, startAzuriteQueue } from "../../dev/azurite";

declare module "vitest" {
  export interface ProvidedContext {
    tableConnectionString: string;
    queueConnectionString: string;
  }
}

/** One in-memory Azurite for the whole run, on a free port; every test file uses tables of its own;
 * and one Azurite queue service (queues are named by the code, so tests share the queue server, not queues). */
export default async function setup(project: TestProject) {
  const [azurite, queues] = await Promise.all([startAzurite(), startAzuriteQueue()]);
  project.provide("tableConnectionString", azurite.connectionString);
  project.provide("queueConnectionString", queues.connectionString);
  return () => Promise.all([azurite.stop(), queues.stop()]).then(() => undefined);
}

import type { TestProject } from "vitest/node";
import { startAzurite } from "../../dev/azurite";

declare module "vitest" {
  export interface ProvidedContext {
    tableConnectionString: string;
  }
}

/** One in-memory Azurite for the whole run, on a free port; every test file uses tables of its own. */
export default async function setup(project: TestProject) {
  const azurite = await startAzurite();
  project.provide("tableConnectionString", azurite.connectionString);
  return () => azurite.stop();
}

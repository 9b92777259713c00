import { RestError, TableClient, odata } from "@azure/data-tables";
import { inject } from "vitest";
import type { ServiceClient } from "./serviceClient";

/** One stored entity, as plain JSON: keys, every property, and its ETag (so a rewrite shows as a change). */
export type StoredRow = Record<string, unknown> & { partitionKey: string; rowKey: string };

export interface SnapshotOptions {
  /**
   * Which verify throttling rows (row `throttle` of a user's partition, or of an `unknown_...` partition for a
   * login name nobody has; every verify may write them) to include: all (the default), none, or those of the
   * given user ids only.
   */
  readonly throttle?: "all" | "none" | readonly string[];
}

/** Everything but the throttling rows: `unknown_` partitions hold nothing else. */
const NOT_THROTTLE = odata`RowKey ne ${"throttle"} and (PartitionKey lt ${"unknown_"} or PartitionKey ge ${"unknown`"})`;

function filterFor(throttle: SnapshotOptions["throttle"]): string | undefined {
  if (throttle === undefined || throttle === "all") return undefined;
  if (throttle === "none") return NOT_THROTTLE;
  const theirs = throttle.map((userId) => odata`(PartitionKey eq ${userId} and RowKey eq ${"throttle"})`);
  return [`(${NOT_THROTTLE})`, ...theirs].join(" or ");
}

const clients = new Map<string, TableClient>();

/** A TableClient of its own on the service's table, straight to Azurite: not through the service. */
export function tableClientOf(service: ServiceClient): TableClient {
  const { tableName } = service.config.table;
  let client = clients.get(tableName);
  if (!client) {
    client = TableClient.fromConnectionString(inject("tableConnectionString"), tableName, {
      allowInsecureConnection: true,
    });
    clients.set(tableName, client);
  }
  return client;
}

/**
 * A full scan of the service's table, sorted by key, every property included. Two snapshots are equal only
 * when nothing was written in between.
 */
export async function tableSnapshot(service: ServiceClient, options: SnapshotOptions = {}): Promise<StoredRow[]> {
  const rows: StoredRow[] = [];
  try {
    const filter = filterFor(options.throttle);
    const entities = tableClientOf(service).listEntities(filter === undefined ? {} : { queryOptions: { filter } });
    for await (const entity of entities) rows.push(JSON.parse(JSON.stringify(entity)) as StoredRow);
  } catch (error) {
    // The service creates its table on first use: before that there is nothing stored.
    if (error instanceof RestError && error.statusCode === 404) return [];
    throw error;
  }
  const key = (row: StoredRow) => `${row.partitionKey}\u0000${row.rowKey}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

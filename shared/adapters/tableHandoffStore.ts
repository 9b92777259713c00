import { odata, type TableEntity, type TableEntityResult } from "@azure/data-tables";
import type { HandoffStore, NewHandoff, StoredHandoff } from "../domain/handoffs";
import { createTableCalls, type TableLocation, type TableStoreOptions } from "./tableCalls";

/**
 * Hand-offs in the service's table: partition `handoff_<owner tag>` (an owner's live hand-offs, a handful
 * at most), row `h_<secret>`. The `h_` keeps the row key out of the `ap_` range the app passwords' clean-up
 * scans across partitions, whatever the random secret starts with.
 */
export const HANDOFF_PARTITION_PREFIX = "handoff_";
const HANDOFF_PARTITIONS_END = "handoff`";
const HANDOFF_ROW_PREFIX = "h_";

export type HandoffEntity = {
  /** base64url AES-GCM output made in the browser: the service never has the key. */
  Ciphertext: string;
  Iv: string;
  CreatedAt: Date;
  ExpiresAt: Date;
};

/** Rows deleted together, per page of the sweep. */
const SWEEP_PAGE = 100;
/** A page of a scan may take Table Storage up to 5 s, well past a point read's budget. */
const SCAN_PAGE_TIMEOUT_MS = 30_000;

const partitionOf = (ownerTag: string) => `${HANDOFF_PARTITION_PREFIX}${ownerTag}`;
const rowOf = (secret: string) => `${HANDOFF_ROW_PREFIX}${secret}`;

const toHandoff = (entity: TableEntityResult<HandoffEntity>): StoredHandoff => ({
  ownerTag: (entity.partitionKey ?? "").slice(HANDOFF_PARTITION_PREFIX.length),
  secret: (entity.rowKey ?? "").slice(HANDOFF_ROW_PREFIX.length),
  ciphertext: entity.Ciphertext,
  iv: entity.Iv,
  createdAt: entity.CreatedAt,
  expiresAt: entity.ExpiresAt,
  etag: entity.etag,
});

const handoffEntity = (handoff: NewHandoff): TableEntity<HandoffEntity> => ({
  partitionKey: partitionOf(handoff.ownerTag),
  rowKey: rowOf(handoff.secret),
  Ciphertext: handoff.ciphertext,
  Iv: handoff.iv,
  CreatedAt: handoff.createdAt,
  ExpiresAt: handoff.expiresAt,
});

/** Table Storage for hand-offs, on the table (and with the conventions) of the app passwords' store. */
export function createTableHandoffStore(location: TableLocation, options: TableStoreOptions): HandoffStore {
  const { client, call, write, read } = createTableCalls(location, options);

  return {
    async listOwn(ownerTag) {
      const filter = odata`PartitionKey eq ${partitionOf(ownerTag)}`;
      return call(async (abortSignal) => {
        const found: StoredHandoff[] = [];
        for await (const entity of client.listEntities<HandoffEntity>({ queryOptions: { filter }, abortSignal })) {
          found.push(toHandoff(entity));
        }
        return found;
      });
    },

    add(handoff) {
      return write((abortSignal) => client.createEntity(handoffEntity(handoff), { abortSignal }));
    },

    async get(ownerTag, secret) {
      const entity = await read<HandoffEntity>(partitionOf(ownerTag), rowOf(secret));
      return entity && toHandoff(entity);
    },

    remove(ownerTag, secret, etag) {
      return write((abortSignal) => client.deleteEntity(partitionOf(ownerTag), rowOf(secret), { etag, abortSignal }));
    },

    async removeExpired(before) {
      const filter = odata`PartitionKey ge ${HANDOFF_PARTITION_PREFIX} and PartitionKey lt ${HANDOFF_PARTITIONS_END} and ExpiresAt lt ${before}`;
      let deleted = 0;
      let continuationToken: string | undefined;
      do {
        const page = await call(async (abortSignal) => {
          const pages = client
            .listEntities<HandoffEntity>({ queryOptions: { filter, select: ["PartitionKey", "RowKey"] }, abortSignal })
            .byPage({ maxPageSize: SWEEP_PAGE, ...(continuationToken !== undefined && { continuationToken }) });
          const next = await pages.next();
          return next.done === true ? undefined : next.value;
        }, SCAN_PAGE_TIMEOUT_MS);
        const outcomes = await Promise.all(
          (page ?? []).map(({ partitionKey = "", rowKey = "", etag }) =>
            write((abortSignal) => client.deleteEntity(partitionKey, rowKey, { etag, abortSignal })),
          ),
        );
        deleted += outcomes.filter((outcome) => outcome === "done").length;
        continuationToken = page?.continuationToken;
      } while (continuationToken !== undefined);
      return deleted;
    },
  };
}

import { randomBytes } from "node:crypto";
import { odata, type TableEntity, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import { z } from "zod";
import type { AppPasswordPolicy } from "../domain/domainContext";
import type { PolicyChange, PolicyStore, SavedPolicy } from "../domain/policy";
import { createTableCalls, type TableLocation, type TableStoreOptions } from "./tableCalls";

/**
 * The tenant's policy in the service's table: partition `tenant`, row `policy`, and beside it (rows `ev_…`,
 * newest first) each change, written in the same entity-group transaction as the policy it made, so no
 * change goes unrecorded. Neither row key is in the `ap_` range the clean-up scans, nor the partition in the
 * `activity_` range it prunes: policy changes are few and kept as the tenant's audit trail.
 */
export const TENANT_PARTITION = "tenant";
const POLICY_ROW = "policy";
const CHANGE_ROW_PREFIX = "ev_";

type PolicyEntity = {
  Allowed: boolean;
  MaxPerUser: number;
  MaxLifetimeDays?: number;
  DeleteUnusedAfterDays?: number;
  SavedAt: Date;
  SavedByLoginName: string;
  SavedByUserId: string;
};

type ChangeEntity = { At: Date; AdminLoginName: string; AdminUserId: string; Previous: string; Next: string };

/** A policy as a change event's column holds it: JSON, a limit that is not there as null. */
const policyJson = z
  .object({
    appPasswordsAllowed: z.boolean(),
    maxPerUser: z.number().int(),
    maxLifetimeDays: z.number().int().nullable(),
    deleteUnusedAfterDays: z.number().int().nullable(),
  })
  .transform((json): AppPasswordPolicy => ({
    appPasswordsAllowed: json.appPasswordsAllowed,
    maxPerUser: json.maxPerUser,
    ...(json.maxLifetimeDays !== null && { maxLifetimeDays: json.maxLifetimeDays }),
    ...(json.deleteUnusedAfterDays !== null && { deleteUnusedAfterDays: json.deleteUnusedAfterDays }),
  }));

const toJson = (policy: AppPasswordPolicy): string =>
  JSON.stringify({
    appPasswordsAllowed: policy.appPasswordsAllowed,
    maxPerUser: policy.maxPerUser,
    maxLifetimeDays: policy.maxLifetimeDays ?? null,
    deleteUnusedAfterDays: policy.deleteUnusedAfterDays ?? null,
  });

const parsePolicy = (text: string) => {
  try {
    return policyJson.safeParse(JSON.parse(text));
  } catch {
    return undefined;
  }
};

const policyColumns = (policy: AppPasswordPolicy) => ({
  Allowed: policy.appPasswordsAllowed,
  MaxPerUser: policy.maxPerUser,
  // A Replace drops a column left out: a limit taken away is gone from the row.
  ...(policy.maxLifetimeDays !== undefined && { MaxLifetimeDays: policy.maxLifetimeDays }),
  ...(policy.deleteUnusedAfterDays !== undefined && { DeleteUnusedAfterDays: policy.deleteUnusedAfterDays }),
});

const toSaved = (entity: TableEntityResult<PolicyEntity>): SavedPolicy => ({
  policy: {
    appPasswordsAllowed: entity.Allowed,
    maxPerUser: entity.MaxPerUser,
    ...(typeof entity.MaxLifetimeDays === "number" && { maxLifetimeDays: entity.MaxLifetimeDays }),
    ...(typeof entity.DeleteUnusedAfterDays === "number" && { deleteUnusedAfterDays: entity.DeleteUnusedAfterDays }),
  },
  etag: entity.etag,
  savedAt: entity.SavedAt,
  savedBy: { loginName: entity.SavedByLoginName, userId: entity.SavedByUserId },
});

/** Milliseconds that sort newest first. */
const invertedTime = (at: Date) => String(8_640_000_000_000_000 - at.getTime()).padStart(16, "0");

function toChange(entity: TableEntityResult<ChangeEntity>): PolicyChange | undefined {
  const previous = parsePolicy(entity.Previous);
  const next = parsePolicy(entity.Next);
  if (!previous?.success || !next?.success) return undefined;
  return {
    at: entity.At,
    by: { loginName: entity.AdminLoginName, userId: entity.AdminUserId },
    previous: previous.data,
    next: next.data,
  };
}

/** Table Storage for the tenant policy, on the table (and with the conventions) of the app passwords' store. */
export function createTablePolicyStore(location: TableLocation, options: TableStoreOptions): PolicyStore {
  const { client, call, write, read } = createTableCalls(location, options);

  return {
    async getPolicy() {
      const entity = await read<PolicyEntity>(TENANT_PARTITION, POLICY_ROW);
      return entity && toSaved(entity);
    },

    async savePolicy(next, change, etag) {
      const row: TableEntity<PolicyEntity> = {
        partitionKey: TENANT_PARTITION,
        rowKey: POLICY_ROW,
        ...policyColumns(next),
        SavedAt: change.at,
        SavedByLoginName: change.by.loginName,
        SavedByUserId: change.by.userId,
      };
      const event: TableEntity<ChangeEntity> = {
        partitionKey: TENANT_PARTITION,
        rowKey: `${CHANGE_ROW_PREFIX}${invertedTime(change.at)}_${randomBytes(4).toString("hex")}`,
        At: change.at,
        AdminLoginName: change.by.loginName,
        AdminUserId: change.by.userId,
        Previous: toJson(change.previous),
        Next: toJson(change.next),
      };
      const actions: TransactionAction[] = [
        etag === undefined ? ["create", row] : ["update", row, "Replace", { etag }],
        ["create", event],
      ];
      // 409: another administrator saved the first policy meanwhile; 412: the row changed since read.
      const outcome = await write((abortSignal) => client.submitTransaction(actions, { abortSignal }));
      return outcome === "done" ? "done" : "conflict";
    },

    async listPolicyChanges(limit, continuation) {
      const after = continuation === undefined ? undefined : Buffer.from(continuation, "base64url").toString();
      if (after !== undefined && !after.startsWith(CHANGE_ROW_PREFIX)) return "bad-continuation";
      const filter =
        after === undefined
          ? odata`PartitionKey eq ${TENANT_PARTITION} and RowKey ge ${CHANGE_ROW_PREFIX} and RowKey lt ${"ev`"}`
          : odata`PartitionKey eq ${TENANT_PARTITION} and RowKey gt ${after} and RowKey lt ${"ev`"}`;
      return call(async (abortSignal) => {
        const rows: TableEntityResult<ChangeEntity>[] = [];
        // One more than asked for, to know whether there is a next page.
        for await (const entity of client.listEntities<ChangeEntity>({ queryOptions: { filter }, abortSignal })) {
          rows.push(entity);
          if (rows.length > limit) break;
        }
        const page = rows.slice(0, limit);
        const last = page.at(-1)?.rowKey;
        return {
          items: page.flatMap((entity) => toChange(entity) ?? []),
          ...(rows.length > limit && last !== undefined && { continuation: Buffer.from(last).toString("base64url") }),
        };
      });
    },
  };
}

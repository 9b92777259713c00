import { odata, type TableEntityResult } from "@azure/data-tables";
import { z } from "zod";
import type { InventoryQuery, InventoryRow, InventoryRows, InventoryStore } from "../domain/inventory";
import { matchesInventoryQuery } from "../domain/inventory";
import { PROTOCOLS, type Protocol } from "../domain/protocols";
import type { TableCalls } from "./tableCalls";
import { APP_PASSWORD_ROW_PREFIX, USER_ROW, type AppPasswordEntity, type UserEntity } from "./tableEntities";

/** The row key range of app passwords: `ap_` up to the next character after `_`. */
const APP_PASSWORD_ROWS_END = "ap`";
/** Time budget of one page of the scan (see `SCAN_PAGE_TIMEOUT_MS` of the store). */
const PAGE_TIMEOUT_MS = 30_000;

/** Only what the inventory shows: never the hash or the addresses it verified from. */
const COLUMNS = [
  "PartitionKey",
  "RowKey",
  "Name",
  "CreatedAt",
  "ExpiresAt",
  "LastUsedAt",
  "LastUsedIp",
  "LastUsedProtocol",
  "Protocols",
  "AllowedIps",
  "LoginName",
];

/** A row as the scan reads it: an app password, or a user record (with `LoginName`). */
type ScannedRow = TableEntityResult<Partial<AppPasswordEntity & Pick<UserEntity, "LoginName">>>;

/** Where the next page starts, as the storage's own continuation names it: ASCII keys (user ids are GUIDs). */
const keySchema = z
  .string()
  .max(1024)
  .regex(/^[\x20-\x7e]*$/);
const continuationSchema = z.strictObject({ nextPartitionKey: keySchema.min(1), nextRowKey: keySchema.optional() });

/** Our continuation is the storage's, in base64url: opaque to the caller, checked when it comes back. */
function storageToken(continuation: string): string | undefined {
  try {
    const parsed = continuationSchema.safeParse(JSON.parse(Buffer.from(continuation, "base64url").toString()));
    return parsed.success ? Buffer.from(JSON.stringify(parsed.data)).toString("base64") : undefined;
  } catch {
    return undefined;
  }
}

const ourToken = (token: string) => Buffer.from(token, "base64").toString("base64url");

/**
 * The filter the storage applies: the app password rows that can match (what a query can test of them), and
 * every user record, which sorts after its app passwords in the partition and carries the login name.
 */
function scanFilter(query: InventoryQuery): string {
  const conditions = [odata`RowKey ge ${APP_PASSWORD_ROW_PREFIX} and RowKey lt ${APP_PASSWORD_ROWS_END}`];
  // Created before then is needed to be unused since then; never used is a missing column no query can test.
  if (query.unusedSince) conditions.push(odata`CreatedAt lt ${query.unusedSince}`);
  if (query.expiresBefore) conditions.push(odata`ExpiresAt lt ${query.expiresBefore}`);
  if (query.expiresBefore && query.expiresFrom) conditions.push(odata`ExpiresAt ge ${query.expiresFrom}`);
  if (query.protocol) conditions.push(odata`LastUsedProtocol eq ${query.protocol}`);
  return `(${conditions.join(" and ")}) or ${odata`RowKey eq ${USER_ROW}`}`;
}

/** A selected column a row lacks comes back as null. */
const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;
const list = (value: string | null | undefined) => (present(value) && value !== "" ? value.split(",") : []);
const isProtocol = (value: unknown): value is Protocol => PROTOCOLS.includes(value as Protocol);

function toRow(entity: ScannedRow, loginName: string): InventoryRow {
  return {
    userId: entity.partitionKey ?? "",
    id: (entity.rowKey ?? "").slice(APP_PASSWORD_ROW_PREFIX.length),
    name: entity.Name ?? "",
    createdAt: entity.CreatedAt ?? new Date(0),
    loginName,
    ...(present(entity.LastUsedAt) && { lastUsedAt: entity.LastUsedAt }),
    ...(present(entity.ExpiresAt) && { expiresAt: entity.ExpiresAt }),
    ...(present(entity.Protocols) && { protocols: list(entity.Protocols).filter(isProtocol) }),
    ...(present(entity.AllowedIps) && { allowedIps: list(entity.AllowedIps) }),
    ...(present(entity.LastUsedIp) && { lastUsedIp: entity.LastUsedIp }),
    ...(isProtocol(entity.LastUsedProtocol) && { lastUsedProtocol: entity.LastUsedProtocol }),
  };
}

/**
 * The tenant's inventory over the table: one cross-partition query per page, its rows in key order, so each
 * partition's app passwords come just before its user record. The one partition a page can end inside (its
 * record on the next page) has its record read by one more request: at most two requests a page.
 */
export function createTableInventory({ client, call, read }: Pick<TableCalls, "client" | "call" | "read">) {
  const inventory: InventoryStore = {
    async listInventory(query, limit, continuation) {
      const continuationToken = continuation === undefined ? undefined : storageToken(continuation);
      if (continuation !== undefined && continuationToken === undefined) return "bad-continuation";
      const page = await call(async (abortSignal) => {
        const pages = client
          .listEntities<ScannedRow>({ queryOptions: { filter: scanFilter(query), select: COLUMNS }, abortSignal })
          .byPage({ maxPageSize: limit, ...(continuationToken !== undefined && { continuationToken }) });
        const next = await pages.next();
        return next.done === true ? undefined : next.value;
      }, PAGE_TIMEOUT_MS);
      const rows = page ?? [];
      const loginNames = new Map<string, string>();
      for (const row of rows) {
        if (row.rowKey === USER_ROW && row.partitionKey !== undefined)
          loginNames.set(row.partitionKey, row.LoginName ?? "");
      }
      const last = rows.findLast((row) => row.rowKey !== USER_ROW)?.partitionKey;
      if (last !== undefined && !loginNames.has(last)) {
        const user = await read<UserEntity>(last, USER_ROW);
        loginNames.set(last, user?.LoginName ?? "");
      }
      const items = rows
        .filter((row) => row.rowKey !== USER_ROW)
        .map((row) => toRow(row, loginNames.get(row.partitionKey ?? "") ?? ""))
        .filter((row) => matchesInventoryQuery(row, query));
      const result: InventoryRows = {
        items,
        ...(page?.continuationToken !== undefined && { continuation: ourToken(page.continuationToken) }),
      };
      return result;
    },
  };
  return inventory;
}

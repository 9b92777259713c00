import { mayAdminister } from "./access";
import { summary, type AppPasswordSummary } from "./appPasswordRecords";
import type { StoredAppPassword } from "./appPasswordStore";
import { DAY_MS, refuse, type DomainContext } from "./domainContext";
import type { Refusal } from "./outcomes";
import type { Principal } from "./principal";
import type { Protocol } from "./protocols";

// The tenant's inventory: every app password of every person, for administrators, a bounded page at a time.

/** What an administrator filters the inventory by; every filter given must hold (they are combined with and). */
export interface InventoryFilter {
  /** Not used in the last this many days (never used, and created before then, counts). */
  readonly unusedForDays?: number | undefined;
  /** Past its expiry (true), or not past it (false). */
  readonly expired?: boolean | undefined;
  /** Not yet expired, and expiring within this many days. */
  readonly expiringWithinDays?: number | undefined;
  /** Last used with this protocol. */
  readonly protocol?: Protocol | undefined;
  /** Whose login name starts with this (case-insensitive). */
  readonly loginNamePrefix?: string | undefined;
}

/** The filter as times, which is what the store compares the rows with. */
export interface InventoryQuery {
  /** Unused since: last used (or, never used, created) before this. */
  readonly unusedSince?: Date;
  /** Expires before this. */
  readonly expiresBefore?: Date;
  /** Expires at or after this (or never). */
  readonly expiresFrom?: Date;
  readonly protocol?: Protocol;
  /** Lowercase. */
  readonly loginNamePrefix?: string;
}

/** One app password of the inventory: the owner's summary, and whose it is. */
export type InventoryItem = AppPasswordSummary & { readonly userId: string; readonly loginName: string };

/** A stored app password with its owner's login name, as the store's inventory reads it. */
export type InventoryRow = Omit<StoredAppPassword, "hash" | "etag" | "seenAddresses"> & { readonly loginName: string };

/** One page, and where the next starts (absent on the last); a page may hold fewer than asked, or none. */
export interface InventoryRows {
  readonly items: readonly InventoryRow[];
  readonly continuation?: string;
}

export interface InventoryPage {
  readonly items: readonly InventoryItem[];
  readonly continuation?: string;
}

/** The store's side: a page of at most `limit` rows read from where `continuation` left off. */
export interface InventoryStore {
  /**
   * App passwords matching `query` across every user's partition, a page of at most `limit`, in at most two
   * storage requests; `bad-continuation` when `continuation` is not one this store handed out.
   */
  listInventory(
    query: InventoryQuery,
    limit: number,
    continuation?: string,
  ): Promise<InventoryRows | "bad-continuation">;
}

export type InventoryOutcome = { readonly code: "INVENTORY"; readonly page: InventoryPage } | Refusal;

/** The filter as times, at `now`. */
export function inventoryQuery(filter: InventoryFilter, now: Date): InventoryQuery {
  const at = now.getTime();
  const before: number[] = [];
  if (filter.expired === true) before.push(at);
  if (filter.expiringWithinDays !== undefined) before.push(at + filter.expiringWithinDays * DAY_MS);
  const notYet = filter.expired === false || filter.expiringWithinDays !== undefined;
  return {
    ...(filter.unusedForDays !== undefined && { unusedSince: new Date(at - filter.unusedForDays * DAY_MS) }),
    ...(before.length > 0 && { expiresBefore: new Date(Math.min(...before)) }),
    ...(notYet && { expiresFrom: now }),
    ...(filter.protocol !== undefined && { protocol: filter.protocol }),
    ...(filter.loginNamePrefix !== undefined &&
      filter.loginNamePrefix !== "" && { loginNamePrefix: filter.loginNamePrefix.toLowerCase() }),
  };
}

/** Whether a row read matches what the store could not filter by itself (a column a query cannot test). */
export function matchesInventoryQuery(row: InventoryRow, query: InventoryQuery): boolean {
  if (query.unusedSince !== undefined && (row.lastUsedAt ?? row.createdAt) >= query.unusedSince) return false;
  if (query.expiresBefore !== undefined && (row.expiresAt === undefined || row.expiresAt >= query.expiresBefore)) {
    return false;
  }
  if (query.expiresFrom !== undefined && row.expiresAt !== undefined && row.expiresAt < query.expiresFrom) return false;
  if (query.protocol !== undefined && row.lastUsedProtocol !== query.protocol) return false;
  if (query.loginNamePrefix !== undefined && !row.loginName.startsWith(query.loginNamePrefix)) return false;
  return true;
}

/** The inventory over one context. */
export function createInventory(context: DomainContext, store: InventoryStore) {
  return {
    /** A page of the tenant's app passwords matching `filter` (administrators only). */
    async listInventory(
      actor: Principal,
      filter: InventoryFilter,
      limit: number,
      continuation?: string,
    ): Promise<InventoryOutcome> {
      const refusal = mayAdminister(actor, "list every app password of the organization");
      if (refusal) return refusal;
      const now = context.now();
      const rows = await store.listInventory(inventoryQuery(filter, now), limit, continuation);
      if (rows === "bad-continuation") {
        return refuse("INVALID_CONTINUATION", "The continuation does not come from this list.");
      }
      const items = rows.items.map((row) => ({ ...summary(row, now), userId: row.userId, loginName: row.loginName }));
      return {
        code: "INVENTORY",
        page: { items, ...(rows.continuation !== undefined && { continuation: rows.continuation }) },
      };
    },
  };
}

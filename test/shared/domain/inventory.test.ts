import { describe, expect, it } from "vitest";
import { inventoryQuery, matchesInventoryQuery, type InventoryRow } from "../../../shared/domain/inventory";

const NOW = new Date("2026-06-01T12:00:00.000Z");
const DAY = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

const row = (extra: Partial<InventoryRow> = {}): InventoryRow => ({
  userId: "u",
  id: "0badc0de",
  name: "Phone",
  createdAt: ago(100),
  loginName: "ann@contoso.com",
  ...extra,
});

describe("the inventory's filters", () => {
  it("turns days into times at now, and lower-cases the login-name prefix", () => {
    expect(inventoryQuery({ unusedForDays: 30, expiringWithinDays: 7, loginNamePrefix: "Ann" }, NOW)).toEqual({
      unusedSince: ago(30),
      expiresBefore: ago(-7),
      expiresFrom: NOW,
      loginNamePrefix: "ann",
    });
    expect(inventoryQuery({ expired: true }, NOW)).toEqual({ expiresBefore: NOW });
    expect(inventoryQuery({ expired: false }, NOW)).toEqual({ expiresFrom: NOW });
    expect(inventoryQuery({ loginNamePrefix: "" }, NOW)).toEqual({});
  });

  it("counts never used from creation, and a use within the days as used", () => {
    const query = inventoryQuery({ unusedForDays: 30 }, NOW);
    expect(matchesInventoryQuery(row(), query)).toBe(true);
    expect(matchesInventoryQuery(row({ createdAt: ago(10) }), query)).toBe(false);
    expect(matchesInventoryQuery(row({ lastUsedAt: ago(31) }), query)).toBe(true);
    expect(matchesInventoryQuery(row({ lastUsedAt: ago(29) }), query)).toBe(false);
  });

  it("tells expired from expiring from never expiring", () => {
    const expired = row({ expiresAt: ago(1) });
    const soon = row({ expiresAt: ago(-3) });
    const never = row();
    const only = (filter: Parameters<typeof inventoryQuery>[0]) =>
      [expired, soon, never].filter((one) => matchesInventoryQuery(one, inventoryQuery(filter, NOW)));
    expect(only({ expired: true })).toEqual([expired]);
    expect(only({ expired: false })).toEqual([soon, never]);
    expect(only({ expiringWithinDays: 7 })).toEqual([soon]);
    expect(only({ expiringWithinDays: 2 })).toEqual([]);
    expect(only({ expired: true, expiringWithinDays: 7 })).toEqual([]);
  });

  it("matches the protocol of the last use and the login name's start", () => {
    const smtp = row({ lastUsedAt: ago(1), lastUsedProtocol: "smtp" });
    expect(matchesInventoryQuery(smtp, inventoryQuery({ protocol: "smtp" }, NOW))).toBe(true);
    expect(matchesInventoryQuery(row(), inventoryQuery({ protocol: "smtp" }, NOW))).toBe(false);
    expect(matchesInventoryQuery(row(), inventoryQuery({ loginNamePrefix: "ANN@" }, NOW))).toBe(true);
    expect(matchesInventoryQuery(row(), inventoryQuery({ loginNamePrefix: "bob" }, NOW))).toBe(false);
  });
});

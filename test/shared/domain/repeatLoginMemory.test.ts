import { describe, expect, it } from "vitest";
import type { StoredAppPassword } from "../../../shared/domain/appPasswordStore";
import { createRepeatLoginMemory, verifyVersion } from "../../../shared/domain/repeatLoginMemory";

const clock = { now: new Date("2026-05-01T08:00:00.000Z") };
const later = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
const HOUR_MS = 60 * 60 * 1000;
const settings = { entries: 3, lifetimeMs: HOUR_MS, loginNameLifetimeMs: 60_000 };

const row = (id: string, changes: Partial<StoredAppPassword> = {}): StoredAppPassword => ({
  userId: "owner",
  id,
  name: "Phone",
  hash: `$argon2id$v=19$m=19456,t=2,p=1$salt${id}$hash`,
  createdAt: new Date("2026-04-01T00:00:00.000Z"),
  etag: `W/"${id}"`,
  ...changes,
});

describe("repeat-login memory", () => {
  it("recognizes only the password it was told, for the row as it was", () => {
    const memory = createRepeatLoginMemory(settings, () => clock.now);
    const stored = row("a");
    memory.rememberSuccess(stored, "abcdefghijklmnop");
    expect(memory.recognizes(stored, "abcdefghijklmnop")).toBe(true);
    expect(memory.recognizes(stored, "abcdefghijklmnoq")).toBe(false);
    expect(memory.recognizes(row("b"), "abcdefghijklmnop")).toBe(false);
    expect(memory.recognizes({ ...stored, userId: "someone-else" }, "abcdefghijklmnop")).toBe(false);
  });

  it("does not count for another version of the row, but does when only lastUsedAt or the etag changed", () => {
    const memory = createRepeatLoginMemory(settings, () => clock.now);
    const stored = row("a");
    memory.rememberSuccess(stored, "abcdefghijklmnop");
    const used = { ...stored, lastUsedAt: clock.now, etag: 'W/"later"' };
    expect(verifyVersion(used)).toBe(verifyVersion(stored));
    expect(memory.recognizes(used, "abcdefghijklmnop")).toBe(true);
    const upgraded = { ...stored, hash: "$argon2id$v=19$m=65536,t=3,p=1$other$hash" };
    expect(verifyVersion(upgraded)).not.toBe(verifyVersion(stored));
    expect(memory.recognizes(upgraded, "abcdefghijklmnop")).toBe(false);
  });

  it("forgets a success after its lifetime, counted from when it was remembered", () => {
    const memory = createRepeatLoginMemory(settings, () => clock.now);
    const stored = row("a");
    memory.rememberSuccess(stored, "abcdefghijklmnop");
    later(HOUR_MS - 1);
    expect(memory.recognizes(stored, "abcdefghijklmnop")).toBe(true);
    later(1);
    expect(memory.recognizes(stored, "abcdefghijklmnop")).toBe(false);
  });

  it("holds at most its number of entries, dropping the least recently used", () => {
    const memory = createRepeatLoginMemory(settings, () => clock.now);
    for (const id of ["a", "b", "c"]) memory.rememberSuccess(row(id), `${id}bcdefghijklmnop`);
    expect(memory.recognizes(row("a"), "abcdefghijklmnop")).toBe(true);
    memory.rememberSuccess(row("d"), "dbcdefghijklmnop");
    expect(memory.size).toBe(3);
    expect(memory.recognizes(row("b"), "bbcdefghijklmnop")).toBe(false);
    expect(memory.recognizes(row("a"), "abcdefghijklmnop")).toBe(true);
    expect(memory.recognizes(row("d"), "dbcdefghijklmnop")).toBe(true);
  });

  it("remembers nothing when its entries or its lifetime is 0", () => {
    for (const off of [
      { ...settings, entries: 0 },
      { ...settings, lifetimeMs: 0, loginNameLifetimeMs: 0 },
    ]) {
      const memory = createRepeatLoginMemory(off, () => clock.now);
      memory.rememberSuccess(row("a"), "abcdefghijklmnop");
      memory.rememberLoginName("Alice@Contoso.com", "owner");
      expect(memory.recognizes(row("a"), "abcdefghijklmnop")).toBe(false);
      expect(memory.userIdOf("alice@contoso.com")).toBeUndefined();
    }
  });

  it("keeps a login name's user id, in any case, for its own shorter lifetime", () => {
    const memory = createRepeatLoginMemory(settings, () => clock.now);
    memory.rememberLoginName("Alice@Contoso.com", "owner");
    expect(memory.userIdOf("ALICE@contoso.com")).toBe("owner");
    later(60_000);
    expect(memory.userIdOf("alice@contoso.com")).toBeUndefined();
  });

  it("knows a password for an app password id whatever the row is now, so only a caller who knows it skips the lookup", () => {
    const memory = createRepeatLoginMemory(settings, () => clock.now);
    memory.rememberSuccess(row("a"), "abcdefghijklmnop");
    expect(memory.knows("owner", "a", "abcdefghijklmnop")).toBe(true);
    expect(memory.knows("owner", "a", "abcdefghijklmnoq")).toBe(false);
    expect(memory.knows("other", "a", "abcdefghijklmnop")).toBe(false);
    memory.forget("owner", "a");
    expect(memory.knows("owner", "a", "abcdefghijklmnop")).toBe(false);
  });
});

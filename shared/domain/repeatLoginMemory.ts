import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { StoredAppPassword } from "./appPasswordStore";
import type { Clock } from "./clock";

/** How much the memory holds and for how long; 0 entries or 0 seconds turns it off. */
export interface RepeatLoginMemorySettings {
  /** Most remembered successes (and, as many again, login names); the oldest go first. */
  readonly entries: number;
  /** How long a success is remembered, from the argon2 verification that proved it. */
  readonly lifetimeMs: number;
  /** How long a login name is remembered to map to a user id, from the lookup that read it. */
  readonly loginNameLifetimeMs: number;
}

/**
 * What verify depends on in an app password row, as one value: it changes when the row is deleted and made
 * again, its hash is upgraded, or (as they are added) its expiry or restrictions change, but not when
 * `lastUsed*` is written. A success remembered against one version does not count for another.
 */
export function verifyVersion(stored: StoredAppPassword): string {
  return createHash("sha256")
    .update(JSON.stringify([stored.userId, stored.id, stored.hash]))
    .digest("base64url");
}

interface Remembered<T> {
  readonly value: T;
  readonly until: number;
}

/** A map that forgets entries after their time and, past `max` entries, the least recently used ones. */
function boundedMap<T>(max: number, now: Clock) {
  const entries = new Map<string, Remembered<T>>();
  return {
    get(key: string): T | undefined {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      if (entry.until <= now().getTime()) return undefined;
      // Re-inserted so the map's order is the order of use: the first entry is the one to drop.
      entries.set(key, entry);
      return entry.value;
    },
    set(key: string, value: T, lifetimeMs: number) {
      if (max <= 0 || lifetimeMs <= 0) return;
      entries.delete(key);
      entries.set(key, { value, until: now().getTime() + lifetimeMs });
      for (const oldest of entries.keys()) {
        if (entries.size <= max) break;
        entries.delete(oldest);
      }
    },
    delete: (key: string) => entries.delete(key),
    get size() {
      return entries.size;
    },
  };
}

export type RepeatLoginMemory = ReturnType<typeof createRepeatLoginMemory>;

/**
 * The repeat-login memory of one instance: which (owner, app password) a password was last proved right
 * for, as a MAC under a key that lives only in this process, against the row's {@link verifyVersion}; and
 * which user id a login name was last read to map to. It never holds a password; the key is made here, at
 * random, and is never stored, logged or sent.
 */
export function createRepeatLoginMemory(settings: RepeatLoginMemorySettings, now: Clock) {
  const key = randomBytes(32);
  const successes = boundedMap<{ mac: Buffer; version: string }>(settings.entries, now);
  const loginNames = boundedMap<string>(settings.entries, now);
  const entryKey = (owner: string, id: string) => `${owner}\n${id}`;
  const mac = (owner: string, id: string, normalized: string) =>
    createHmac("sha256", key).update(`${owner}\n${id}\n${normalized}`).digest();
  const sameMac = (remembered: Buffer, owner: string, id: string, normalized: string) =>
    timingSafeEqual(remembered, mac(owner, id, normalized));

  return {
    /**
     * Whether `normalized` was proved right for `stored` as it is now: same MAC, same version, within the
     * lifetime. Only then may verify skip argon2; every other rule still applies to the row.
     */
    recognizes(stored: StoredAppPassword, normalized: string): boolean {
      const entry = successes.get(entryKey(stored.userId, stored.id));
      return (
        entry !== undefined &&
        entry.version === verifyVersion(stored) &&
        sameMac(entry.mac, stored.userId, stored.id, normalized)
      );
    },

    /**
     * Whether `normalized` is a password remembered right for `owner`'s app password `id`, whatever the
     * row is now: the caller already knows the password, so skipping the login-name lookup for it tells
     * them nothing. The row read afterwards still decides.
     */
    knows(owner: string, id: string, normalized: string): boolean {
      const entry = successes.get(entryKey(owner, id));
      return entry !== undefined && sameMac(entry.mac, owner, id, normalized);
    },

    /** Remembers a success that argon2 proved, against the row's version as read. */
    rememberSuccess(stored: StoredAppPassword, normalized: string): void {
      successes.set(
        entryKey(stored.userId, stored.id),
        { mac: mac(stored.userId, stored.id, normalized), version: verifyVersion(stored) },
        settings.lifetimeMs,
      );
    },

    /** Forgets a success: the row is gone or changed. */
    forget(owner: string, id: string): void {
      successes.delete(entryKey(owner, id));
    },

    /** The user id a login name was read to map to, while that is recent. */
    userIdOf(loginName: string): string | undefined {
      return loginNames.get(loginName.toLowerCase());
    },

    rememberLoginName(loginName: string, userId: string): void {
      loginNames.set(loginName.toLowerCase(), userId, settings.loginNameLifetimeMs);
    },

    forgetLoginName(loginName: string): void {
      loginNames.delete(loginName.toLowerCase());
    },

    /** How many successes are remembered (for tests of the bound). */
    get size() {
      return successes.size;
    },
  };
}

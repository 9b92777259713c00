import { createHmac, randomBytes } from "node:crypto";
import type { WriteOutcome } from "./appPasswordStore";
import { systemClock, type Clock } from "./clock";
import type { Refusal } from "./outcomes";
import type { Principal } from "./principal";

/**
 * A hand-off carries a device set-up from the page to the person's phone: the page encrypts it (AES-GCM, a key
 * it never sends) and the service keeps only the ciphertext, for a short time, for one read.
 */
export const HANDOFF_RULES = {
  /** How long a hand-off can be read after it was made. */
  lifetimeMs: 10 * 60 * 1000,
  /** Live (unread, unexpired) hand-offs one person may have at once. */
  maxLive: 5,
  /** Largest request that makes one: `{ ciphertext, iv }` as sent. */
  maxRequestBytes: 8 * 1024,
} as const;

/** Characters of the owner tag at the start of an id: 9 bytes of HMAC, base64url. */
const OWNER_TAG_LENGTH = 12;
/** Characters of the random rest of an id: 16 bytes (128 bits), base64url. */
const SECRET_LENGTH = 22;

/** What a hand-off id looks like: the owner tag, then 128 random bits, all base64url. */
export const HANDOFF_ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${OWNER_TAG_LENGTH + SECRET_LENGTH}}$`);

/** What the page stores: AES-GCM output and its 96-bit nonce, base64url. Never the key or the plaintext. */
export interface HandoffCiphertext {
  readonly ciphertext: string;
  readonly iv: string;
}

/**
 * A hand-off as stored. `ownerTag` (a keyed hash of the owner's id, never the id) is its partition, so the
 * owner's live hand-offs are one small partition and anyone holding the id finds the row with one point read.
 */
export interface StoredHandoff extends HandoffCiphertext {
  readonly ownerTag: string;
  readonly secret: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly etag: string;
}

export type NewHandoff = Omit<StoredHandoff, "etag">;

/** Persistence of hand-offs. */
export interface HandoffStore {
  /** Every hand-off (expired ones included) of the owner with this tag. */
  listOwn(ownerTag: string): Promise<StoredHandoff[]>;
  /** Stores a new hand-off; `taken` if one with its keys exists. */
  add(handoff: NewHandoff): Promise<WriteOutcome>;
  get(ownerTag: string, secret: string): Promise<StoredHandoff | undefined>;
  /** Deletes the hand-off if it is still the version read (`etag`): `done` for exactly one caller. */
  remove(ownerTag: string, secret: string, etag: string): Promise<WriteOutcome>;
  /** Deletes every hand-off that expired before `before`, whoever made it; how many. */
  removeExpired(before: Date): Promise<number>;
}

export type CreateHandoffOutcome =
  { readonly code: "HANDED_OFF"; readonly id: string; readonly expiresAt: Date } | Refusal;
export type ReadHandoffOutcome = ({ readonly code: "READ" } & HandoffCiphertext) | Refusal;
export type DeleteHandoffOutcome = { readonly code: "DELETED" } | Refusal;

export interface HandoffService {
  /** Stores a hand-off for its owner (only for themselves), unless they have too many live ones. */
  create(actor: Principal, targetUserId: string, ciphertext: HandoffCiphertext): Promise<CreateHandoffOutcome>;
  /** Answers the ciphertext once, to whoever holds the id, and deletes it in the same step. */
  read(id: string): Promise<ReadHandoffOutcome>;
  /** The owner takes back an unread hand-off. */
  remove(actor: Principal, targetUserId: string, id: string): Promise<DeleteHandoffOutcome>;
  /** Deletes the expired hand-offs nobody read; how many. */
  sweep(): Promise<number>;
}

export interface HandoffServiceOptions {
  readonly store: HandoffStore;
  /** Keys the owner tag, so an id does not reveal whose it is. */
  readonly ownerKey: string;
  readonly now?: Clock;
}

const NOT_FOUND: Refusal = {
  code: "HANDOFF_NOT_FOUND",
  detail: "This hand-off was used, has expired or never existed. Create a new app password to set up the device.",
};

/** The hand-off rules over a store. */
export function createHandoffService({ store, ownerKey, now = systemClock }: HandoffServiceOptions): HandoffService {
  const ownerTagOf = (userId: string) =>
    createHmac("sha256", ownerKey).update(`handoff-owner:v1:${userId}`).digest().subarray(0, 9).toString("base64url");

  const split = (id: string) =>
    HANDOFF_ID_PATTERN.test(id)
      ? { ownerTag: id.slice(0, OWNER_TAG_LENGTH), secret: id.slice(OWNER_TAG_LENGTH) }
      : undefined;

  /** Hand-offs are made and taken back by their owner only: an administrator has no use for a ciphertext. */
  function ownerOnly(actor: Principal, targetUserId: string): Refusal | undefined {
    if (targetUserId === actor.userId) return undefined;
    return actor.isAdmin
      ? {
          code: "SELF_SERVICE_ONLY",
          detail:
            "A hand-off is made by the owner of the app password; an administrator cannot make one for another user.",
        }
      : { code: "FORBIDDEN", detail: "Only the owner can make or delete their hand-offs." };
  }

  /** Deletes an expired hand-off found on the way; another caller deleting it first is as good. */
  const discard = (handoff: StoredHandoff) => store.remove(handoff.ownerTag, handoff.secret, handoff.etag);

  return {
    async create(actor, targetUserId, { ciphertext, iv }) {
      const refusal = ownerOnly(actor, targetUserId);
      if (refusal) return refusal;
      const ownerTag = ownerTagOf(actor.userId);
      const at = now();
      const own = await store.listOwn(ownerTag);
      const expired = own.filter((handoff) => handoff.expiresAt <= at);
      await Promise.all(expired.map(discard));
      const live = own.filter((handoff) => handoff.expiresAt > at);
      if (live.length >= HANDOFF_RULES.maxLive) {
        const soonest = Math.min(...live.map((handoff) => handoff.expiresAt.getTime()));
        return {
          code: "HANDOFF_LIMIT_REACHED",
          detail: `You have ${live.length} unread hand-offs; each expires 10 minutes after it was made. Try again shortly.`,
          limit: HANDOFF_RULES.maxLive,
          retryAfterSeconds: Math.max(1, Math.ceil((soonest - at.getTime()) / 1000)),
        };
      }
      const expiresAt = new Date(at.getTime() + HANDOFF_RULES.lifetimeMs);
      // 128 random bits: a clash is never expected, and one more try settles the case it happens.
      for (let attempt = 0; attempt < 2; attempt++) {
        const secret = randomBytes(16).toString("base64url");
        const outcome = await store.add({ ownerTag, secret, ciphertext, iv, createdAt: at, expiresAt });
        if (outcome === "done") return { code: "HANDED_OFF", id: ownerTag + secret, expiresAt };
      }
      return { code: "CONTENTION", detail: "The hand-off could not be stored. Try again." };
    },

    async read(id) {
      const keys = split(id);
      if (!keys) return NOT_FOUND;
      const found = await store.get(keys.ownerTag, keys.secret);
      if (!found) return NOT_FOUND;
      // The delete is conditioned on the version read: of two readers at once, exactly one deletes it, and
      // only that one is answered.
      const outcome = await discard(found);
      if (outcome !== "done" || found.expiresAt <= now()) return NOT_FOUND;
      return { code: "READ", ciphertext: found.ciphertext, iv: found.iv };
    },

    async remove(actor, targetUserId, id) {
      const refusal = ownerOnly(actor, targetUserId);
      if (refusal) return refusal;
      const keys = split(id);
      if (!keys) return NOT_FOUND;
      // Looked up among the caller's own hand-offs, whatever owner the id names: another person's id is as
      // unknown to them as one nobody made, and costs the same to find out.
      const ownerTag = ownerTagOf(actor.userId);
      const found = await store.get(ownerTag, keys.secret);
      if (!found || keys.ownerTag !== ownerTag) return NOT_FOUND;
      const outcome = await discard(found);
      return outcome === "done" && found.expiresAt > now() ? { code: "DELETED" } : NOT_FOUND;
    },

    sweep: () => store.removeExpired(now()),
  };
}

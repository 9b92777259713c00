import type { ActivityEvent } from "./activity";
import { appPasswordTag, generateAppPassword } from "./appPasswordSecret";
import type { NewAppPassword, StoredAppPassword } from "./appPasswordStore";
import type { DomainContext } from "./domainContext";
import type { Protocol } from "./protocols";
import { expiryAfter, isExpired } from "./restrictions";

// One app password in its shapes: as asked for, as issued (with its plaintext, once), as its owner sees it.

/** An app password as its owner sees it: the stored one without its owner, hash and bookkeeping. */
export type AppPasswordSummary = Omit<StoredAppPassword, "userId" | "hash" | "etag" | "seenAddresses"> & {
  /** Present with `expiresAt`: whether that time has passed (it no longer verifies, and awaits clean-up). */
  readonly expired?: boolean;
};

/** What a person chooses when creating an app password; absent limits do not limit. */
export interface AppPasswordRequest {
  readonly name: string;
  // `| undefined`: what a parsed request holds for a field it was sent without.
  readonly expiresInDays?: number | undefined;
  readonly protocols?: readonly Protocol[] | undefined;
  readonly allowedIps?: readonly string[] | undefined;
  /** The address the page was used from, for the activity event and the person's notice. */
  readonly fromIp?: string | undefined;
}

/** A freshly made app password, with the plaintext: returned once, by create or the first registration. */
export interface IssuedAppPassword extends AppPasswordSummary {
  readonly password: string;
}

/** A new app password for `userId` as asked for, hashed, and its plaintext. */
export async function issue(
  { hasher, now }: Pick<DomainContext, "hasher" | "now">,
  userId: string,
  request: AppPasswordRequest,
  lifetimeDays?: number,
): Promise<{ record: NewAppPassword; password: string }> {
  const password = generateAppPassword();
  const createdAt = now();
  const record: NewAppPassword = {
    userId,
    id: appPasswordTag(userId, password),
    name: request.name,
    hash: await hasher.hash(password),
    createdAt,
    ...(lifetimeDays !== undefined && { expiresAt: expiryAfter(createdAt, lifetimeDays) }),
    ...(request.protocols !== undefined && { protocols: [...new Set(request.protocols)] }),
    ...(request.allowedIps !== undefined && { allowedIps: request.allowedIps }),
  };
  return { record, password };
}

/** What its owner sees of a stored app password at `now`. */
export const summary = (stored: Omit<StoredAppPassword, "etag" | "hash">, now: Date): AppPasswordSummary => ({
  id: stored.id,
  name: stored.name,
  createdAt: stored.createdAt,
  ...(stored.lastUsedAt !== undefined && { lastUsedAt: stored.lastUsedAt }),
  ...(stored.lastUsedIp !== undefined && { lastUsedIp: stored.lastUsedIp }),
  ...(stored.lastUsedProtocol !== undefined && { lastUsedProtocol: stored.lastUsedProtocol }),
  ...(stored.expiresAt !== undefined && { expiresAt: stored.expiresAt, expired: isExpired(stored, now) }),
  ...(stored.protocols !== undefined && { protocols: stored.protocols }),
  ...(stored.allowedIps !== undefined && { allowedIps: stored.allowedIps }),
});

/** The answer that carries the plaintext, once. */
export const issued = (record: NewAppPassword, password: string, now: Date): IssuedAppPassword => ({
  ...summary(record, now),
  password,
});

export const createdEvent = (record: NewAppPassword, ip?: string): ActivityEvent => ({
  at: record.createdAt,
  event: "created",
  appPasswordId: record.id,
  name: record.name,
  by: "user",
  ...(ip !== undefined && { ip }),
});

export const deletedEvent = (
  stored: StoredAppPassword,
  by: Pick<ActivityEvent, "by" | "adminLoginName" | "adminUserId">,
  at: Date,
): ActivityEvent => ({ at, event: "deleted", appPasswordId: stored.id, name: stored.name, ...by });

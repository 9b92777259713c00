import { createHash } from "node:crypto";
import type { TableEntity, TableEntityResult, TransactionAction } from "@azure/data-tables";
import { z } from "zod";
import { ACTIVITY_ACTORS, ACTIVITY_EVENTS, type ActivityEvent } from "../domain/activity";
import type { NewAppPassword, StoredAppPassword, StoredThrottle, UserRecord } from "../domain/appPasswordStore";
import { PROTOCOLS, type Protocol } from "../domain/protocols";
import { NO_THROTTLE, storedIpsSchema, type IpThrottle, type ThrottleState } from "../domain/verifyThrottle";

/** How the domain's records are laid out as Table Storage rows, and mapped to and from them. */

export const USER_ROW = "user";
export const LOGIN_ROW = "login";
export const APP_PASSWORD_ROW_PREFIX = "ap_";

export type UserEntity = {
  /** Empty when the account holds no login name (released by an administrator). */
  LoginName: string;
  /** JSON array of the login names released from this account; absent: none. */
  ReleasedLoginNames?: string;
  RegisteredAt: Date;
  AppPasswordCount: number;
};
export type AppPasswordEntity = {
  Name: string;
  Hash: string;
  CreatedAt: Date;
  LastUsedAt?: Date;
  ExpiresAt?: Date;
  /** Comma-separated protocols; absent: any. */
  Protocols?: string;
  /** Comma-separated CIDR ranges; absent: any address. */
  AllowedIps?: string;
  /** Comma-separated address buckets it verified from, most recent last. */
  SeenIps?: string;
  LastUsedIp?: string;
  LastUsedProtocol?: string;
};
export type ThrottleEntity = {
  UnfamiliarFailures: number;
  /** JSON: IP bucket to its `IpThrottle`, dates as ISO strings. */
  Ips: string;
};
export type LoginEntity = {
  UserId: string;
};

export const appPasswordRow = (id: string) => `${APP_PASSWORD_ROW_PREFIX}${id}`;

/**
 * The row of the owner's verify throttling, in the owner's own partition: verify reads it and the candidate
 * app password with one query. That query is a scan of the partition, which is small and bounded: the user
 * record, at most the per-user limit of app passwords, and this row.
 */
export const THROTTLE_ROW = "throttle";

/**
 * A JSON column read with its schema; an unreadable value counts as `fallback`, and the next write replaces it.
 */
function parseJsonColumn<T>(schema: z.ZodType<T>, json: string | undefined, fallback: T): T {
  if (json === undefined) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

/** The IPs of a throttling row. */
export const parseIps = (json: string): Record<string, IpThrottle> => parseJsonColumn(storedIpsSchema, json, {});

export const toThrottle = (entity: TableEntityResult<ThrottleEntity> | undefined): StoredThrottle =>
  entity
    ? {
        state: {
          unfamiliarFailures: entity.UnfamiliarFailures,
          ips: parseIps(entity.Ips),
        },
        etag: entity.etag,
      }
    : { state: NO_THROTTLE };

export const throttleEntity = (owner: string, state: ThrottleState): TableEntity<ThrottleEntity> => ({
  partitionKey: owner,
  rowKey: THROTTLE_ROW,
  UnfamiliarFailures: state.unfamiliarFailures,
  Ips: JSON.stringify(state.ips),
});

/**
 * A key with the characters a table key cannot hold (`/ \ # ?`, and `'` for OData) percent-encoded; one
 * that would come out long (keys hold at most 1 KiB) is replaced by its SHA-256.
 */
export const encodeKey = (value: string) => {
  const encoded = encodeURIComponent(value.toWellFormed()).replace(/'/g, "%27");
  return encoded.length <= 400 ? encoded : `sha256-${createHash("sha256").update(value).digest("hex")}`;
};

/** Partition of a login name: lowercase, with the characters a table key cannot hold percent-encoded. */
export const loginPartition = (loginName: string) => `login_${encodeKey(loginName.toLowerCase())}`;

export const toUser = (entity: TableEntityResult<UserEntity>): UserRecord => ({
  userId: entity.partitionKey ?? "",
  loginName: entity.LoginName,
  releasedLoginNames: parseJsonColumn(z.array(z.string()), entity.ReleasedLoginNames, []),
  registeredAt: entity.RegisteredAt,
  appPasswordCount: entity.AppPasswordCount,
  etag: entity.etag,
});

const splitList = (value: string | undefined) => (value === undefined || value === "" ? [] : value.split(","));

export const toAppPassword = (entity: TableEntityResult<AppPasswordEntity>): StoredAppPassword => ({
  userId: entity.partitionKey ?? "",
  id: (entity.rowKey ?? "").slice(APP_PASSWORD_ROW_PREFIX.length),
  name: entity.Name,
  hash: entity.Hash,
  createdAt: entity.CreatedAt,
  ...(entity.LastUsedAt !== undefined && { lastUsedAt: entity.LastUsedAt }),
  ...(entity.ExpiresAt !== undefined && { expiresAt: entity.ExpiresAt }),
  // A stored protocol this version does not know allows nothing rather than everything.
  ...(entity.Protocols !== undefined && { protocols: splitList(entity.Protocols).filter(isProtocol) }),
  ...(entity.AllowedIps !== undefined && { allowedIps: splitList(entity.AllowedIps) }),
  ...(entity.SeenIps !== undefined && { seenAddresses: splitList(entity.SeenIps) }),
  ...(entity.LastUsedIp !== undefined && { lastUsedIp: entity.LastUsedIp }),
  ...(isProtocol(entity.LastUsedProtocol) && { lastUsedProtocol: entity.LastUsedProtocol }),
  etag: entity.etag,
});

export const appPasswordEntity = (appPassword: NewAppPassword): TableEntity<AppPasswordEntity> => ({
  partitionKey: appPassword.userId,
  rowKey: appPasswordRow(appPassword.id),
  Name: appPassword.name,
  Hash: appPassword.hash,
  CreatedAt: appPassword.createdAt,
  ...(appPassword.expiresAt !== undefined && { ExpiresAt: appPassword.expiresAt }),
  ...(appPassword.protocols !== undefined && { Protocols: appPassword.protocols.join(",") }),
  ...(appPassword.allowedIps !== undefined && { AllowedIps: appPassword.allowedIps.join(",") }),
});

/**
 * The activity log of an owner: a partition of its own, so verify's read of the owner's partition never
 * grows with it, and a person's log is one range query.
 */
export const activityPartition = (owner: string) => `activity_${owner}`;
export const ACTIVITY_PARTITION_PREFIX = "activity_";
export const ACTIVITY_ROW_PREFIX = "ev_";

/** Milliseconds that sort newest first: the row key of an event starts with them. */
const invertedTime = (at: Date) => String(8_640_000_000_000_000 - at.getTime()).padStart(16, "0");

/** Row key of an event at `at`: newest first, and a random tail so two events in one millisecond both stay. */
export const activityRow = (at: Date, random: string) => `${ACTIVITY_ROW_PREFIX}${invertedTime(at)}_${random}`;

/** The smallest row key of an event from before `at`: every older event sorts after it. */
export const activityRowBefore = (at: Date) => `${ACTIVITY_ROW_PREFIX}${invertedTime(at)}~`;

export type ActivityEntity = {
  At: Date;
  Event: string;
  AppPasswordId?: string;
  Name?: string;
  PreviousName?: string;
  By?: string;
  AdminLoginName?: string;
  AdminUserId?: string;
  LoginName?: string;
  Ip?: string;
  Protocol?: string;
};

export const activityEntity = (owner: string, rowKey: string, event: ActivityEvent): TableEntity<ActivityEntity> => ({
  partitionKey: activityPartition(owner),
  rowKey,
  At: event.at,
  Event: event.event,
  ...(event.appPasswordId !== undefined && { AppPasswordId: event.appPasswordId }),
  ...(event.name !== undefined && { Name: event.name }),
  ...(event.previousName !== undefined && { PreviousName: event.previousName }),
  ...(event.by !== undefined && { By: event.by }),
  ...(event.adminLoginName !== undefined && { AdminLoginName: event.adminLoginName }),
  ...(event.adminUserId !== undefined && { AdminUserId: event.adminUserId }),
  ...(event.loginName !== undefined && { LoginName: event.loginName }),
  ...(event.ip !== undefined && { Ip: event.ip }),
  ...(event.protocol !== undefined && { Protocol: event.protocol }),
});

export const countUpdate = (user: UserRecord, count: number, loginName?: string): TransactionAction => [
  "update",
  {
    partitionKey: user.userId,
    rowKey: USER_ROW,
    AppPasswordCount: count,
    ...(loginName !== undefined && { LoginName: loginName }),
  },
  "Merge",
  { etag: user.etag },
];

const isProtocol = (value: string | undefined): value is Protocol => PROTOCOLS.includes(value as Protocol);

const activityRowSchema = z.object({
  At: z.date(),
  Event: z.enum(ACTIVITY_EVENTS),
  AppPasswordId: z.string().optional(),
  Name: z.string().optional(),
  PreviousName: z.string().optional(),
  By: z.enum(ACTIVITY_ACTORS).optional(),
  AdminLoginName: z.string().optional(),
  AdminUserId: z.string().optional(),
  LoginName: z.string().optional(),
  Ip: z.string().optional(),
  Protocol: z.enum(PROTOCOLS).optional(),
});

/** The event a row holds; undefined for a row this version cannot read (written by a later one). */
export function toActivity(entity: TableEntityResult<ActivityEntity>): ActivityEvent | undefined {
  const parsed = activityRowSchema.safeParse(entity);
  if (!parsed.success) return undefined;
  const row = parsed.data;
  return {
    at: row.At,
    event: row.Event,
    ...(row.AppPasswordId !== undefined && { appPasswordId: row.AppPasswordId }),
    ...(row.Name !== undefined && { name: row.Name }),
    ...(row.PreviousName !== undefined && { previousName: row.PreviousName }),
    ...(row.By !== undefined && { by: row.By }),
    ...(row.AdminLoginName !== undefined && { adminLoginName: row.AdminLoginName }),
    ...(row.AdminUserId !== undefined && { adminUserId: row.AdminUserId }),
    ...(row.LoginName !== undefined && { loginName: row.LoginName }),
    ...(row.Ip !== undefined && { ip: row.Ip }),
    ...(row.Protocol !== undefined && { protocol: row.Protocol }),
  };
}

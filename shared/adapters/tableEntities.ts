import { createHash } from "node:crypto";
import type { TableEntity, TableEntityResult, TransactionAction } from "@azure/data-tables";
import type { NewAppPassword, StoredAppPassword, StoredThrottle, UserRecord } from "../domain/appPasswordStore";
import { PROTOCOLS, type Protocol } from "../domain/protocols";
import { NO_THROTTLE, storedIpsSchema, type IpThrottle, type ThrottleState } from "../domain/verifyThrottle";

/** How the domain's records are laid out as Table Storage rows, and mapped to and from them. */

export const USER_ROW = "user";
export const LOGIN_ROW = "login";
export const APP_PASSWORD_ROW_PREFIX = "ap_";

export type UserEntity = {
  LoginName: string;
  RegisteredAt: Date;
  AppPasswordCount: number;
};
export type AppPasswordEntity = {
  Name: string;
  Hash: string;
  CreatedAt: Date;
  LastUsedAt?: Date;
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

/** The IPs of a throttling row; an unreadable value counts as none, and the next write replaces it. */
export function parseIps(json: string): Record<string, IpThrottle> {
  try {
    const parsed = storedIpsSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

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
  registeredAt: entity.RegisteredAt,
  appPasswordCount: entity.AppPasswordCount,
  etag: entity.etag,
});

export const toAppPassword = (entity: TableEntityResult<AppPasswordEntity>): StoredAppPassword => ({
  userId: entity.partitionKey ?? "",
  id: (entity.rowKey ?? "").slice(APP_PASSWORD_ROW_PREFIX.length),
  name: entity.Name,
  hash: entity.Hash,
  createdAt: entity.CreatedAt,
  ...(entity.LastUsedAt !== undefined && { lastUsedAt: entity.LastUsedAt }),
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

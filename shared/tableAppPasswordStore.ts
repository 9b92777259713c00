import { createHash } from "node:crypto";
import {
  RestError,
  TableClient,
  odata,
  type TableEntity,
  type TableEntityResult,
  type TransactionAction,
} from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import {
  StorageUnavailableError,
  type AppPasswordStore,
  type NewAppPassword,
  type StoredAppPassword,
  type UserRecord,
  type WriteOutcome,
} from "./appPasswordStore";

/** Where the table is, and how to reach it: a connection string (Azurite) or an endpoint and credential. */
export type TableLocation =
  | { readonly connectionString: string; readonly tableName: string }
  | { readonly endpoint: string; readonly tableName: string; readonly credential: TokenCredential };

export interface TableStoreOptions {
  /** Time budget of one storage call, retries included. */
  readonly timeoutMs: number;
}

const USER_ROW = "user";
const LOGIN_ROW = "login";
const APP_PASSWORD_ROW_PREFIX = "ap_";

type UserEntity = {
  LoginName: string;
  RegisteredAt: Date;
  AppPasswordCount: number;
};
type AppPasswordEntity = {
  Name: string;
  Hash: string;
  CreatedAt: Date;
  LastUsedAt?: Date;
};
type IpThrottleEntity = {
  Failures: number;
  Lockouts: number;
  LockedUntil?: Date;
  LastSuccessAt?: Date;
  Salt: string;
  RecentWrong: string;
};
type UserThrottleEntity = {
  UnfamiliarFailures: number;
};
type LoginEntity = {
  UserId: string;
};

const appPasswordRow = (id: string) => `${APP_PASSWORD_ROW_PREFIX}${id}`;
const throttlePartition = (subject: string) => `throttle_${encodeKey(subject)}`;
const ipThrottleRow = (bucket: string) => `ip_${encodeKey(bucket)}`;
const USER_THROTTLE_ROW = "user";

/**
 * A key with the characters a table key cannot hold (`/ \ # ?`, and `'` for OData) percent-encoded; one
 * that would come out long (keys hold at most 1 KiB) is replaced by its SHA-256.
 */
const encodeKey = (value: string) => {
  const encoded = encodeURIComponent(value.toWellFormed()).replace(/'/g, "%27");
  return encoded.length <= 400 ? encoded : `sha256-${createHash("sha256").update(value).digest("hex")}`;
};

/** Partition of a login name: lowercase, with the characters a table key cannot hold percent-encoded. */
const loginPartition = (loginName: string) => `login_${encodeKey(loginName.toLowerCase())}`;

/** Table Storage, one partition per user (their record and app passwords) and one per login name. */
export function createTableAppPasswordStore(location: TableLocation, options: TableStoreOptions): AppPasswordStore {
  const clientOptions = {
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 2, retryDelayInMs: 50, maxRetryDelayInMs: 400 },
  };
  const client =
    "connectionString" in location
      ? TableClient.fromConnectionString(location.connectionString, location.tableName, clientOptions)
      : new TableClient(location.endpoint, location.tableName, location.credential, clientOptions);

  // Created once per process (a no-op when it exists); tried again by the next call after a failure.
  let tableReady: Promise<void> | undefined;
  const ensureTable = (abortSignal: AbortSignal) => {
    tableReady ??= client.createTable({ abortSignal }).catch((error: unknown) => {
      tableReady = undefined;
      throw error;
    });
    return tableReady;
  };

  // Started with the store rather than by the first request, which then finds it done.
  ensureTable(AbortSignal.timeout(options.timeoutMs)).catch(() => undefined);

  /**
   * Runs one storage call within the time budget. Expected answers (404/409/412) stay RestErrors for the
   * caller to map; anything else means storage is unavailable.
   */
  async function call<T>(operation: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const abortSignal = AbortSignal.timeout(options.timeoutMs);
    try {
      await ensureTable(abortSignal);
      return await operation(abortSignal);
    } catch (error) {
      if (error instanceof RestError && error.statusCode !== undefined && error.statusCode < 500) throw error;
      throw new StorageUnavailableError("Table Storage is unavailable", { cause: error });
    }
  }

  const statusOf = (error: unknown) => (error instanceof RestError ? error.statusCode : undefined);

  /** Maps the answers a conditional write expects to outcomes; anything else is rethrown. */
  async function write(operation: (abortSignal: AbortSignal) => Promise<unknown>): Promise<WriteOutcome> {
    try {
      await call(operation);
      return "done";
    } catch (error) {
      switch (statusOf(error)) {
        case 404:
          return "not-found";
        case 409:
          return "taken";
        case 412:
          return "conflict";
        default:
          throw error;
      }
    }
  }

  /**
   * The row with these keys, if there is one. A query on both keys rather than a GET of the entity: Table
   * Storage serves it as the same point lookup, but a missing row is an empty answer instead of a 404 the
   * SDK turns into a thrown error, so a read costs the same whether or not the row exists.
   */
  async function read<T extends object>(partitionKey: string, rowKey: string) {
    const filter = odata`PartitionKey eq ${partitionKey} and RowKey eq ${rowKey}`;
    return call(async (abortSignal) => {
      for await (const entity of client.listEntities<T>({ queryOptions: { filter }, abortSignal })) return entity;
      return undefined;
    });
  }

  const toUser = (entity: TableEntityResult<UserEntity>): UserRecord => ({
    userId: entity.partitionKey ?? "",
    loginName: entity.LoginName,
    registeredAt: entity.RegisteredAt,
    appPasswordCount: entity.AppPasswordCount,
    etag: entity.etag,
  });

  const toAppPassword = (entity: TableEntityResult<AppPasswordEntity>): StoredAppPassword => ({
    userId: entity.partitionKey ?? "",
    id: (entity.rowKey ?? "").slice(APP_PASSWORD_ROW_PREFIX.length),
    name: entity.Name,
    hash: entity.Hash,
    createdAt: entity.CreatedAt,
    ...(entity.LastUsedAt !== undefined && { lastUsedAt: entity.LastUsedAt }),
    etag: entity.etag,
  });

  const appPasswordEntity = (appPassword: NewAppPassword): TableEntity<AppPasswordEntity> => ({
    partitionKey: appPassword.userId,
    rowKey: appPasswordRow(appPassword.id),
    Name: appPassword.name,
    Hash: appPassword.hash,
    CreatedAt: appPassword.createdAt,
  });

  const countUpdate = (user: UserRecord, count: number, loginName?: string): TransactionAction => [
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

  return {
    async getUser(userId) {
      const entity = await read<UserEntity>(userId, USER_ROW);
      return entity && toUser(entity);
    },

    async findUserIdByLoginName(loginName) {
      const entity = await read<LoginEntity>(loginPartition(loginName), LOGIN_ROW);
      return entity?.UserId;
    },

    async saveLoginName(loginName, userId) {
      const entity: TableEntity<LoginEntity> = {
        partitionKey: loginPartition(loginName),
        rowKey: LOGIN_ROW,
        UserId: userId,
      };
      await call((abortSignal) => client.upsertEntity(entity, "Replace", { abortSignal }));
    },

    setLoginName(user, loginName) {
      const entity: TableEntity<Pick<UserEntity, "LoginName">> = {
        partitionKey: user.userId,
        rowKey: USER_ROW,
        LoginName: loginName,
      };
      return write((abortSignal) => client.updateEntity(entity, "Merge", { etag: user.etag, abortSignal }));
    },

    async deleteLoginName(loginName, userId) {
      const entity = await read<LoginEntity>(loginPartition(loginName), LOGIN_ROW);
      if (entity?.UserId !== userId) return;
      await write((abortSignal) =>
        client.deleteEntity(loginPartition(loginName), LOGIN_ROW, { etag: entity.etag, abortSignal }),
      );
    },

    register(user, first) {
      const record: TableEntity<UserEntity> = {
        partitionKey: user.userId,
        rowKey: USER_ROW,
        LoginName: user.loginName,
        RegisteredAt: user.registeredAt,
        AppPasswordCount: first ? 1 : 0,
      };
      const actions: TransactionAction[] = [["create", record]];
      if (first) actions.push(["create", appPasswordEntity(first)]);
      return write((abortSignal) => client.submitTransaction(actions, { abortSignal }));
    },

    addAppPassword(user, appPassword, loginName) {
      const actions: TransactionAction[] = [
        ["create", appPasswordEntity(appPassword)],
        countUpdate(user, user.appPasswordCount + 1, loginName),
      ];
      return write((abortSignal) => client.submitTransaction(actions, { abortSignal }));
    },

    async getAppPassword(userId, id) {
      const entity = await read<AppPasswordEntity>(userId, appPasswordRow(id));
      return entity && toAppPassword(entity);
    },

    async listAppPasswords(userId) {
      return call(async (abortSignal) => {
        const found: StoredAppPassword[] = [];
        const entities = client.listEntities<AppPasswordEntity>({
          queryOptions: {
            filter: odata`PartitionKey eq ${userId} and RowKey ge ${APP_PASSWORD_ROW_PREFIX} and RowKey lt ${"ap`"}`,
          },
          abortSignal,
        });
        for await (const entity of entities) found.push(toAppPassword(entity));
        return found;
      });
    },

    removeAppPasswords(user, ids) {
      const actions: TransactionAction[] = [
        ...ids.map((id): TransactionAction => ["delete", { partitionKey: user.userId, rowKey: appPasswordRow(id) }]),
        countUpdate(user, user.appPasswordCount - ids.length),
      ];
      return write((abortSignal) => client.submitTransaction(actions, { abortSignal }));
    },

    async touchAppPassword(appPassword, changes) {
      const entity: TableEntity<Partial<AppPasswordEntity>> = {
        partitionKey: appPassword.userId,
        rowKey: appPasswordRow(appPassword.id),
        LastUsedAt: changes.lastUsedAt,
        ...(changes.hash !== undefined && { Hash: changes.hash }),
      };
      await write((abortSignal) => client.updateEntity(entity, "Merge", { etag: appPassword.etag, abortSignal }));
    },

    async getThrottle(subject, ipBucket) {
      // Two point reads, sent together. One query for both rows (RowKey eq a or RowKey eq b) saves a request
      // but is a scan of the partition in Azure, which holds a row for every address the person ever used.
      const partition = throttlePartition(subject);
      const [ip, user] = await Promise.all([
        read<IpThrottleEntity>(partition, ipThrottleRow(ipBucket)),
        read<UserThrottleEntity>(partition, USER_THROTTLE_ROW),
      ]);
      return {
        state: {
          ...(ip && {
            ip: {
              failures: ip.Failures,
              lockouts: ip.Lockouts,
              ...(ip.LockedUntil && { lockedUntil: ip.LockedUntil }),
              ...(ip.LastSuccessAt && { lastSuccessAt: ip.LastSuccessAt }),
              salt: ip.Salt,
              recentWrong: ip.RecentWrong === "" ? [] : ip.RecentWrong.split(","),
            },
          }),
          ...(user && { user: { unfamiliarFailures: user.UnfamiliarFailures } }),
        },
        etags: { ...(ip && { ip: ip.etag }), ...(user && { user: user.etag }) },
      };
    },

    saveThrottle(subject, ipBucket, current, next) {
      const partitionKey = throttlePartition(subject);
      const put = (entity: TableEntity, etag: string | undefined): TransactionAction =>
        etag === undefined ? ["create", entity] : ["update", entity, "Replace", { etag }];
      const actions: TransactionAction[] = [];
      if (next.ip) {
        const entity: TableEntity<IpThrottleEntity> = {
          partitionKey,
          rowKey: ipThrottleRow(ipBucket),
          Failures: next.ip.failures,
          Lockouts: next.ip.lockouts,
          ...(next.ip.lockedUntil && { LockedUntil: next.ip.lockedUntil }),
          ...(next.ip.lastSuccessAt && { LastSuccessAt: next.ip.lastSuccessAt }),
          Salt: next.ip.salt,
          RecentWrong: next.ip.recentWrong.join(","),
        };
        actions.push(put(entity, current.etags.ip));
      }
      if (next.user) {
        const entity: TableEntity<UserThrottleEntity> = {
          partitionKey,
          rowKey: USER_THROTTLE_ROW,
          UnfamiliarFailures: next.user.unfamiliarFailures,
        };
        actions.push(put(entity, current.etags.user));
      }
      if (actions.length === 0) return Promise.resolve("done" as const);
      return write((abortSignal) => client.submitTransaction(actions, { abortSignal }));
    },

    async resetThrottle(subject) {
      const partitionKey = throttlePartition(subject);
      const rows = await call(async (abortSignal) => {
        const keys: string[] = [];
        const entities = client.listEntities({
          queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ["RowKey"] },
          abortSignal,
        });
        for await (const entity of entities) keys.push(entity.rowKey ?? "");
        return keys;
      });
      for (let i = 0; i < rows.length; i += 100) {
        const actions = rows.slice(i, i + 100).map((rowKey): TransactionAction => ["delete", { partitionKey, rowKey }]);
        await write((abortSignal) => client.submitTransaction(actions, { abortSignal }));
      }
      return rows.length;
    },
  };
}

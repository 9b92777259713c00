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
import { z } from "zod";
import {
  StorageUnavailableError,
  type AppPasswordStore,
  type NewAppPassword,
  type StoredAppPassword,
  type StoredThrottle,
  type UserRecord,
  type WriteOutcome,
} from "./appPasswordStore";
import { NO_THROTTLE, type IpThrottle, type ThrottleState } from "./verifyThrottle";

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
type ThrottleEntity = {
  Salt?: string;
  UnfamiliarFailures: number;
  /** JSON: IP bucket to its `IpThrottle`, dates as ISO strings. */
  Ips: string;
};
type LoginEntity = {
  UserId: string;
};

const appPasswordRow = (id: string) => `${APP_PASSWORD_ROW_PREFIX}${id}`;

/**
 * The row of the owner's verify throttling, in the owner's own partition: verify reads it and the candidate
 * app password with one query. That query is a scan of the partition, which is small and bounded: the user
 * record, at most the per-user limit of app passwords, and this row.
 */
const THROTTLE_ROW = "throttle";

/** Rows read, and then deleted together, per page of `forgetQuietThrottles`. */
const QUIET_THROTTLES_PAGE = 100;
/**
 * Time budget of one page of a table scan: Table Storage may work up to 5 s on a page before answering
 * (with fewer rows, or none, and a continuation), well past the 2 s that suits a point read.
 */
const SCAN_PAGE_TIMEOUT_MS = 30_000;

const isoDate = z.iso.datetime().transform((value) => new Date(value));
const storedIps = z.record(
  z.string(),
  z.object({
    failures: z.number().int().nonnegative(),
    lockouts: z.number().int().nonnegative(),
    lockedUntil: isoDate.optional(),
    lastSuccessAt: isoDate.optional(),
    recentWrong: z.array(z.string()),
    updatedAt: isoDate,
  }),
);

/** The IPs of a throttling row; an unreadable value counts as none, and the next write replaces it. */
function parseIps(json: string): Record<string, IpThrottle> {
  try {
    const parsed = storedIps.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

const toThrottle = (entity: TableEntityResult<ThrottleEntity> | undefined): StoredThrottle =>
  entity
    ? {
        state: {
          ...(entity.Salt !== undefined && { salt: entity.Salt }),
          unfamiliarFailures: entity.UnfamiliarFailures,
          ips: parseIps(entity.Ips),
        },
        etag: entity.etag,
      }
    : { state: NO_THROTTLE };

const throttleEntity = (owner: string, state: ThrottleState): TableEntity<ThrottleEntity> => ({
  partitionKey: owner,
  rowKey: THROTTLE_ROW,
  ...(state.salt !== undefined && { Salt: state.salt }),
  UnfamiliarFailures: state.unfamiliarFailures,
  Ips: JSON.stringify(state.ips),
});

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

/**
 * Table Storage, one partition per user (their record, app passwords and verify throttling) and one per
 * login name.
 */
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
   * Runs one storage call within the time budget (the store's, unless given). Expected answers (404/409/412)
   * stay RestErrors for the caller to map; anything else means storage is unavailable.
   */
  async function call<T>(
    operation: (abortSignal: AbortSignal) => Promise<T>,
    timeoutMs = options.timeoutMs,
  ): Promise<T> {
    const abortSignal = AbortSignal.timeout(timeoutMs);
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

    async getVerifyRows(owner, id) {
      const rowKey = appPasswordRow(id);
      const filter = odata`PartitionKey eq ${owner} and (RowKey eq ${rowKey} or RowKey eq ${THROTTLE_ROW})`;
      return call(async (abortSignal) => {
        let candidate: StoredAppPassword | undefined;
        let throttle: TableEntityResult<ThrottleEntity> | undefined;
        const entities = client.listEntities<AppPasswordEntity & ThrottleEntity>({
          queryOptions: { filter },
          abortSignal,
        });
        for await (const entity of entities) {
          if (entity.rowKey === rowKey) candidate = toAppPassword(entity);
          else throttle = entity;
        }
        return { ...(candidate && { candidate }), throttle: toThrottle(throttle) };
      });
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

    async getThrottle(owner) {
      return toThrottle(await read<ThrottleEntity>(owner, THROTTLE_ROW));
    },

    async saveThrottle(owner, current, next) {
      const entity = throttleEntity(owner, next);
      const outcome = await write((abortSignal) =>
        current.etag === undefined
          ? client.createEntity(entity, { abortSignal })
          : client.updateEntity(entity, "Replace", { etag: current.etag, abortSignal }),
      );
      // Created meanwhile, changed, or reset by an admin: all mean read it again.
      return outcome === "done" ? "done" : "conflict";
    },

    async resetThrottle(owner) {
      const outcome = await write((abortSignal) => client.deleteEntity(owner, THROTTLE_ROW, { abortSignal }));
      return outcome === "done" ? 1 : 0;
    },

    async forgetQuietThrottles(quietSince) {
      const filter = odata`RowKey eq ${THROTTLE_ROW} and Timestamp lt ${quietSince}`;
      let forgotten = 0;
      let continuationToken: string | undefined;
      do {
        // One page per call: the scan as a whole may take long, and each page as long as storage needs.
        const page = await call(
          async (abortSignal) => {
            const pages = client
              .listEntities({ queryOptions: { filter, select: ["PartitionKey", "RowKey"] }, abortSignal })
              .byPage({
                maxPageSize: QUIET_THROTTLES_PAGE,
                ...(continuationToken !== undefined && { continuationToken }),
              });
            const next = await pages.next();
            return next.done === true ? undefined : next.value;
          },
          Math.max(options.timeoutMs, SCAN_PAGE_TIMEOUT_MS),
        );
        // The rows of one page are in different partitions: deleted together. The ETag keeps a row written
        // since the scan read it (412), and one deleted meanwhile (404) is simply gone.
        const outcomes = await Promise.all(
          (page ?? []).map(({ partitionKey = "", rowKey = "", etag }) =>
            write((abortSignal) => client.deleteEntity(partitionKey, rowKey, { etag, abortSignal })),
          ),
        );
        forgotten += outcomes.filter((outcome) => outcome === "done").length;
        continuationToken = page?.continuationToken;
      } while (continuationToken !== undefined);
      return forgotten;
    },
  };
}

import { randomBytes } from "node:crypto";
import { odata, type TableEntity, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import type { AppPasswordStore, StoredAppPassword, UsageChanges } from "../domain/appPasswordStore";
import { createTableInventory } from "./tableInventory";
import { createTableCalls, type TableLocation, type TableStoreOptions } from "./tableCalls";
import {
  ACTIVITY_PARTITION_PREFIX,
  ACTIVITY_ROW_PREFIX,
  APP_PASSWORD_ROW_PREFIX,
  LOGIN_ROW,
  THROTTLE_ROW,
  USER_ROW,
  activityEntity,
  activityPartition,
  activityRow,
  activityRowBefore,
  appPasswordEntity,
  appPasswordRow,
  countUpdate,
  loginPartition,
  throttleEntity,
  toActivity,
  toAppPassword,
  toThrottle,
  toUser,
  type ActivityEntity,
  type AppPasswordEntity,
  type LoginEntity,
  type ThrottleEntity,
  type UserEntity,
} from "./tableEntities";

export type { TableLocation, TableStoreOptions } from "./tableCalls";

/** Rows read, and then deleted together, per page of a clean-up scan. */
const CLEAN_UP_PAGE = 100;
/** The row key range of app passwords: `ap_` up to the next character after `_`. */
const APP_PASSWORD_ROWS_END = "ap`";
/**
 * Time budget of one page of a table scan: Table Storage may work up to 5 s on a page before answering
 * (with fewer rows, or none, and a continuation), well past the 2 s that suits a point read.
 */
const SCAN_PAGE_TIMEOUT_MS = 30_000;

/**
 * Table Storage, one partition per user (their record, app passwords and verify throttling) and one per
 * login name.
 */
/** The columns a use of an app password changes, as a Merge of its row. */
const usageEntity = (
  appPassword: StoredAppPassword,
  changes: UsageChanges,
): TableEntity<Partial<AppPasswordEntity>> => ({
  partitionKey: appPassword.userId,
  rowKey: appPasswordRow(appPassword.id),
  LastUsedAt: changes.lastUsedAt,
  ...(changes.lastUsedIp !== undefined && { LastUsedIp: changes.lastUsedIp }),
  ...(changes.lastUsedProtocol !== undefined && { LastUsedProtocol: changes.lastUsedProtocol }),
  ...(changes.hash !== undefined && { Hash: changes.hash }),
  ...(changes.seenAddresses !== undefined && { SeenIps: changes.seenAddresses.join(",") }),
});

export function createTableAppPasswordStore(location: TableLocation, options: TableStoreOptions): AppPasswordStore {
  const { client, call, write, read } = createTableCalls(location, options);

  /** The rows matching `filter`, a page at a time, each page read within its own time budget. */
  async function* scan<T extends object>(filter: string, select?: string[]) {
    let continuationToken: string | undefined;
    do {
      // One page per call: the scan as a whole may take long, and each page as long as storage needs.
      const page = await call(
        async (abortSignal) => {
          const pages = client
            .listEntities<T>({ queryOptions: { filter, ...(select && { select }) }, abortSignal })
            .byPage({ maxPageSize: CLEAN_UP_PAGE, ...(continuationToken !== undefined && { continuationToken }) });
          const next = await pages.next();
          return next.done === true ? undefined : next.value;
        },
        Math.max(options.timeoutMs, SCAN_PAGE_TIMEOUT_MS),
      );
      yield page ?? [];
      continuationToken = page?.continuationToken;
    } while (continuationToken !== undefined);
  }

  /**
   * Deletes every row matching `filter`; how many. The rows of one page are in different partitions: deleted
   * together. The ETag keeps a row written since the scan read it (412), and one deleted meanwhile (404) is
   * simply gone.
   */
  async function deleteScanned(filter: string): Promise<number> {
    let deleted = 0;
    for await (const page of scan(filter, ["PartitionKey", "RowKey"])) {
      const outcomes = await Promise.all(
        page.map(({ partitionKey = "", rowKey = "", etag }) =>
          write((abortSignal) => client.deleteEntity(partitionKey, rowKey, { etag, abortSignal })),
        ),
      );
      deleted += outcomes.filter((outcome) => outcome === "done").length;
    }
    return deleted;
  }

  return {
    ...createTableInventory({ client, call, read }),
    async getUser(userId) {
      const entity = await read<UserEntity>(userId, USER_ROW);
      return entity && toUser(entity);
    },

    async findUserIdByLoginName(loginName) {
      const entity = await read<LoginEntity>(loginPartition(loginName), LOGIN_ROW);
      return entity?.UserId;
    },

    async getLoginName(loginName) {
      const entity = await read<LoginEntity>(loginPartition(loginName), LOGIN_ROW);
      return entity && { userId: entity.UserId, etag: entity.etag };
    },

    saveLoginName(loginName, userId, etag) {
      const entity: TableEntity<LoginEntity> = {
        partitionKey: loginPartition(loginName),
        rowKey: LOGIN_ROW,
        UserId: userId,
      };
      return write((abortSignal) =>
        etag === undefined
          ? client.createEntity(entity, { abortSignal })
          : client.updateEntity(entity, "Replace", { etag, abortSignal }),
      );
    },

    markLoginNameReleased(user, loginName) {
      const name = loginName.toLowerCase();
      const entity: TableEntity<Pick<UserEntity, "ReleasedLoginNames"> & Partial<Pick<UserEntity, "LoginName">>> = {
        partitionKey: user.userId,
        rowKey: USER_ROW,
        ReleasedLoginNames: JSON.stringify([...new Set([...user.releasedLoginNames, name])]),
        ...(user.loginName === name && { LoginName: "" }),
      };
      return write((abortSignal) => client.updateEntity(entity, "Merge", { etag: user.etag, abortSignal }));
    },

    liftLoginNameRelease(user, loginName) {
      const name = loginName.toLowerCase();
      const entity: TableEntity<Pick<UserEntity, "ReleasedLoginNames">> = {
        partitionKey: user.userId,
        rowKey: USER_ROW,
        ReleasedLoginNames: JSON.stringify(user.releasedLoginNames.filter((released) => released !== name)),
      };
      return write((abortSignal) => client.updateEntity(entity, "Merge", { etag: user.etag, abortSignal }));
    },

    releaseLoginName(loginName, etag) {
      return write((abortSignal) => client.deleteEntity(loginPartition(loginName), LOGIN_ROW, { etag, abortSignal }));
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
      const filter = odata`PartitionKey eq ${owner} and (RowKey eq ${rowKey} or RowKey eq ${THROTTLE_ROW} or RowKey eq ${USER_ROW})`;
      return call(async (abortSignal) => {
        let candidate: StoredAppPassword | undefined;
        let throttle: TableEntityResult<ThrottleEntity> | undefined;
        let loginName: string | undefined;
        const entities = client.listEntities<AppPasswordEntity & ThrottleEntity & UserEntity>({
          queryOptions: { filter },
          abortSignal,
        });
        for await (const entity of entities) {
          if (entity.rowKey === rowKey) candidate = toAppPassword(entity);
          else if (entity.rowKey === USER_ROW) loginName = entity.LoginName === "" ? undefined : entity.LoginName;
          else throttle = entity;
        }
        return {
          ...(candidate && { candidate }),
          ...(loginName !== undefined && { loginName }),
          throttle: toThrottle(throttle),
        };
      });
    },

    async listAppPasswords(userId) {
      return call(async (abortSignal) => {
        const found: StoredAppPassword[] = [];
        const entities = client.listEntities<AppPasswordEntity>({
          queryOptions: {
            filter: odata`PartitionKey eq ${userId} and RowKey ge ${APP_PASSWORD_ROW_PREFIX} and RowKey lt ${APP_PASSWORD_ROWS_END}`,
          },
          abortSignal,
        });
        for await (const entity of entities) found.push(toAppPassword(entity));
        return found;
      });
    },

    async getAppPassword(userId, id) {
      const entity = await read<AppPasswordEntity>(userId, appPasswordRow(id));
      return entity && toAppPassword(entity);
    },

    renameAppPassword(userId, id, name) {
      // A merge of the name alone, on any version of the row: verify's view of it (hash, restrictions) and
      // the repeat-login memory keyed on that view stay as they were.
      const entity: TableEntity<Pick<AppPasswordEntity, "Name">> = {
        partitionKey: userId,
        rowKey: appPasswordRow(id),
        Name: name,
      };
      return write((abortSignal) => client.updateEntity(entity, "Merge", { etag: "*", abortSignal }));
    },

    async *scanAppPasswords() {
      const filter = odata`RowKey ge ${APP_PASSWORD_ROW_PREFIX} and RowKey lt ${APP_PASSWORD_ROWS_END}`;
      for await (const page of scan<AppPasswordEntity>(filter)) yield page.map(toAppPassword);
    },

    removeAppPasswords(user, ids) {
      const actions: TransactionAction[] = [
        ...ids.map((id): TransactionAction => ["delete", { partitionKey: user.userId, rowKey: appPasswordRow(id) }]),
        countUpdate(user, user.appPasswordCount - ids.length),
      ];
      return write((abortSignal) => client.submitTransaction(actions, { abortSignal }));
    },

    async touchAppPassword(appPassword, changes) {
      const entity = usageEntity(appPassword, changes);
      await write((abortSignal) => client.updateEntity(entity, "Merge", { etag: appPassword.etag, abortSignal }));
    },

    async touchAndSaveThrottle(appPassword, changes, current, next) {
      const throttle = throttleEntity(appPassword.userId, next);
      const actions: TransactionAction[] = [
        ["update", usageEntity(appPassword, changes), "Merge", { etag: appPassword.etag }],
        current.etag === undefined ? ["create", throttle] : ["update", throttle, "Replace", { etag: current.etag }],
      ];
      const outcome = await write((abortSignal) => client.submitTransaction(actions, { abortSignal }));
      return outcome === "done" ? "done" : "conflict";
    },

    async getThrottle(owner) {
      return toThrottle(await read<ThrottleEntity>(owner, THROTTLE_ROW));
    },

    async saveThrottle(owner, current, next) {
      const entity = throttleEntity(owner, next);
      let etag: string | undefined;
      const outcome = await write(async (abortSignal) => {
        ({ etag } =
          current.etag === undefined
            ? await client.createEntity(entity, { abortSignal })
            : await client.updateEntity(entity, "Replace", { etag: current.etag, abortSignal }));
      });
      // Created meanwhile, changed, or reset by an admin: all mean read it again.
      return outcome === "done" && etag !== undefined ? { state: next, etag } : "conflict";
    },

    async resetThrottle(owner) {
      const outcome = await write((abortSignal) => client.deleteEntity(owner, THROTTLE_ROW, { abortSignal }));
      return outcome === "done" ? 1 : 0;
    },

    forgetQuietThrottles(quietSince) {
      return deleteScanned(odata`RowKey eq ${THROTTLE_ROW} and Timestamp lt ${quietSince}`);
    },

    async addActivity(owner, event) {
      const entity = activityEntity(owner, activityRow(event.at, randomBytes(4).toString("hex")), event);
      await call((abortSignal) => client.createEntity(entity, { abortSignal }));
      return entity.rowKey;
    },

    async listActivity(userId, limit, continuation) {
      const partition = activityPartition(userId);
      // The continuation is the row key of the last event handed out: the next page starts after it.
      const after = continuation === undefined ? undefined : Buffer.from(continuation, "base64url").toString();
      if (after !== undefined && !after.startsWith(ACTIVITY_ROW_PREFIX)) return "bad-continuation";
      const filter =
        after === undefined
          ? odata`PartitionKey eq ${partition} and RowKey ge ${ACTIVITY_ROW_PREFIX}`
          : odata`PartitionKey eq ${partition} and RowKey gt ${after}`;
      return call(async (abortSignal) => {
        const rows: TableEntityResult<ActivityEntity>[] = [];
        // One more than asked for, to know whether there is a next page.
        for await (const entity of client.listEntities<ActivityEntity>({ queryOptions: { filter }, abortSignal })) {
          rows.push(entity);
          if (rows.length > limit) break;
        }
        const page = rows.slice(0, limit);
        const last = page.at(-1)?.rowKey;
        return {
          items: page.flatMap((entity) => toActivity(entity) ?? []),
          ...(rows.length > limit && last !== undefined && { continuation: Buffer.from(last).toString("base64url") }),
        };
      });
    },

    pruneActivity(before) {
      const end = ACTIVITY_PARTITION_PREFIX.slice(0, -1) + "`";
      return deleteScanned(
        odata`PartitionKey ge ${ACTIVITY_PARTITION_PREFIX} and PartitionKey lt ${end} and RowKey gt ${activityRowBefore(before)}`,
      );
    },
  };
}

import { RestError, TableClient, odata } from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import { StorageUnavailableError, type WriteOutcome } from "../domain/appPasswordStore";

/** Where the table is, and how to reach it: a connection string (Azurite) or an endpoint and credential. */
export type TableLocation =
  | { readonly connectionString: string; readonly tableName: string }
  | { readonly endpoint: string; readonly tableName: string; readonly credential: TokenCredential };

export interface TableStoreOptions {
  /** Time budget of one storage call, retries included. */
  readonly timeoutMs: number;
}

export type TableCalls = ReturnType<typeof createTableCalls>;

/**
 * The table client, and the three ways the store calls it: `call` within a time budget (faults become
 * `StorageUnavailableError`), `write` with the expected answers of a conditional write mapped to outcomes,
 * and `read` of one row that may not exist.
 */
export function createTableCalls(location: TableLocation, options: TableStoreOptions) {
  const retryOptions = { maxRetries: 2, retryDelayInMs: 50, maxRetryDelayInMs: 400 };
  // Plain http only for a connection string, which is Azurite's: the managed identity's bearer tokens
  // never leave over an unencrypted connection.
  const client =
    "connectionString" in location
      ? TableClient.fromConnectionString(location.connectionString, location.tableName, {
          allowInsecureConnection: true,
          retryOptions,
        })
      : new TableClient(location.endpoint, location.tableName, location.credential, { retryOptions });
  // Table requests never carry FormData, and this policy's test for one (the global `FormData`) makes node
  // load its internal fetch on the first request: about 30 ms of a cold start, for nothing.
  client.pipeline.removePolicy({ name: "formDataPolicy" });

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
   * Runs one storage call within the time budget (the store's, unless given). A storage fault (see
   * {@link isStorageFault}) becomes `StorageUnavailableError`; the expected answers (404/409/412) stay
   * RestErrors for the caller to map, and anything else (a bug of ours) propagates as it is, a logged 500.
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
      if (isStorageFault(error)) throw new StorageUnavailableError("Table Storage is unavailable", { cause: error });
      throw error;
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

  return { client, call, write, read };
}

/**
 * An abort (the time budget ran out), and a token the managed identity could not get, which in Azure is part
 * of reaching storage (by `@azure/identity`'s error names, so that large module is not loaded for them).
 */
const STORAGE_FAULT_NAMES = new Set([
  "AbortError",
  "TimeoutError",
  "CredentialUnavailableError",
  "AuthenticationError",
  "AggregateAuthenticationError",
]);

/**
 * Whether `error` is storage failing us rather than a bug of ours. The SDK's HTTP client reports a
 * connection refused, reset or unresolvable host as a RestError with that `code` (`ECONNREFUSED`…) and no
 * status, an answer of 5xx as a RestError with it, and the time budget running out as an `AbortError`; a
 * Node system error (it has a `syscall`) is a network fault that reached us unwrapped. A TypeError or any
 * other throw from our own code in the operation is none of these, and must not pass for an outage.
 */
export function isStorageFault(error: unknown): boolean {
  if (error instanceof RestError) return error.statusCode === undefined || error.statusCode >= 500;
  if (!(error instanceof Error)) return false;
  if (STORAGE_FAULT_NAMES.has(error.name)) return true;
  const { code, syscall } = error as NodeJS.ErrnoException;
  return typeof code === "string" && typeof syscall === "string";
}

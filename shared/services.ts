import type { TokenCredential } from "@azure/identity";
import { createAppPasswordService, type AppPasswordService } from "./domain/appPasswordService";
import { loadConfig, type Config } from "./adapters/config";
import { createArgon2Hasher } from "./adapters/argon2Hasher";
import type { PasswordHasher } from "./domain/passwordHasher";
import { createTableAppPasswordStore } from "./adapters/tableAppPasswordStore";
import { createTableHandoffStore } from "./adapters/tableHandoffStore";
import { createHandoffService, type HandoffService } from "./domain/handoffs";
import { createTokenValidator, type TokenValidator } from "./adapters/tokenValidator";
import { createTablePolicyStore } from "./adapters/tablePolicyStore";
import { createPolicyService, createPolicySource, type PolicyService } from "./domain/policy";
import { createNoticeServices, type NoticeServices } from "./notices/noticeServices";

/** Everything the functions need, wired once per process. */
export interface Services {
  readonly appPasswords: AppPasswordService;
  /** One-time hand-offs of an encrypted device set-up to the person's phone. */
  readonly handoffs: HandoffService;
  /** The tenant policy administrators change at run time; every rule of `appPasswords` decides by it. */
  readonly policy: PolicyService;
  readonly validateToken: TokenValidator;
  /** Sends one notice from the queue (the `sendNotice` function). */
  readonly deliverNotice: NoticeServices["deliverNotice"];
  /** Remembers where and in which language to notify the caller. */
  readonly rememberContact: NoticeServices["rememberContact"];
  /** Queues the notices of app passwords expiring in seven days (the daily `noticeExpiring` timer). */
  readonly noticeExpiring: NoticeServices["noticeExpiring"];
  /** Forgets the ids of notices sent long ago (the same timer). */
  readonly forgetSentNotices: NoticeServices["forgetSentNotices"];
}

export interface ServiceOverrides {
  /** Replaces argon2, e.g. with a counting wrapper in tests. */
  readonly wrapHasher?: (hasher: PasswordHasher) => PasswordHasher;
  /** Replaces the clock, e.g. to move time forward in tests. */
  readonly now?: () => Date;
}

/**
 * `DefaultAzureCredential` (the user-assigned managed identity when `clientId` is set), loaded on its first
 * use: `@azure/identity` is a large module, and a process on a connection string never needs it.
 */
function managedIdentityCredential(clientId: string | undefined): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, options) {
      credential ??= import("@azure/identity").then(
        ({ DefaultAzureCredential }) =>
          new DefaultAzureCredential(clientId === undefined ? {} : { managedIdentityClientId: clientId }),
      );
      return (await credential).getToken(scopes, options);
    },
  };
}

/** Wires the domain to Table Storage, argon2 and Entra ID token validation, as configured. */
export function createServices(config: Config, overrides: ServiceOverrides = {}): Services {
  const location =
    config.table.kind === "connectionString"
      ? { connectionString: config.table.connectionString, tableName: config.table.tableName }
      : {
          endpoint: config.table.endpoint,
          tableName: config.table.tableName,
          credential: managedIdentityCredential(config.table.clientId),
        };
  const store = createTableAppPasswordStore(location, { timeoutMs: config.storageTimeoutMs });
  const notices = createNoticeServices(config.notices, location, {
    timeoutMs: config.storageTimeoutMs,
    store,
    credential: managedIdentityCredential(config.table.kind === "endpoint" ? config.table.clientId : undefined),
  });
  const argon2 = createArgon2Hasher(config.argon2);
  const hasher = overrides.wrapHasher ? overrides.wrapHasher(argon2) : argon2;
  const policyStore = createTablePolicyStore(location, { timeoutMs: config.storageTimeoutMs });
  const policySource = createPolicySource({
    store: policyStore,
    defaults: config.policy,
    refreshMs: config.policyRefreshMs,
    // The rules keep deciding by the last policy read; the line says storage could not be asked again.
    onStale: (error) => console.warn(`Tenant policy not refreshed, the last one read stays: ${error.message}`),
    ...(overrides.now && { now: overrides.now }),
  });
  return {
    appPasswords: createAppPasswordService({
      store,
      hasher,
      policy: () => policySource.current(),
      // The change an event records stands; the log line says which event is missing (it holds no secret).
      onActivityLost: (event, error) =>
        console.warn(`Activity event "${event.event}" not recorded: ${error.name}: ${error.message}`),
      throttleKey: config.throttleKey,
      repeatLoginMemory: config.repeatLoginMemory,
      ...(notices.notices && { notices: notices.notices }),
      ...(overrides.now && { now: overrides.now }),
    }),
    handoffs: createHandoffService({
      store: createTableHandoffStore(location, { timeoutMs: config.storageTimeoutMs }),
      ownerKey: config.throttleKey,
      ...(overrides.now && { now: overrides.now }),
    }),
    policy: createPolicyService({
      source: policySource,
      store: policyStore,
      ...(overrides.now && { now: overrides.now }),
    }),
    validateToken: createTokenValidator(config.auth),
    deliverNotice: notices.deliverNotice,
    rememberContact: notices.rememberContact,
    noticeExpiring: notices.noticeExpiring,
    forgetSentNotices: notices.forgetSentNotices,
  };
}

/** Where a function gets its services at each call. */
export type ServicesProvider = () => Services;

let current: Services | undefined;

/**
 * The Functions host's services, built from `process.env` on first use (a bad setting fails here, naming it).
 * Only the function files hand it over, as the provider their `app.http` / `app.timer` options serve with; the
 * local host and tests serve the same definitions with services of their own.
 */
export const getServices: ServicesProvider = () => {
  current ??= createServices(loadConfig());
  return current;
};

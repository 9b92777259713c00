import { z } from "zod";
import type { NoticeConfig } from "../notices/noticeConfig";
import type { AppPasswordPolicy } from "../domain/appPasswordService";
import type { RepeatLoginMemorySettings } from "../domain/repeatLoginMemory";

const booleanSetting = z
  .enum(["true", "false", "1", "0", "yes", "no"], {
    error: 'must be "true" or "false"',
  })
  .transform((value) => value === "true" || value === "1" || value === "yes");

const positiveInteger = (min: number, max: number) => {
  const range = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: range }).int(range).min(min, range).max(max, range);
};

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * A URL the service fetches or sends credentials to: https, except on the loopback interface (Azurite, the
 * development issuer), where nothing crosses a network.
 */
const secureUrl = z.url().refine((value) => {
  // Refinements run even after z.url() refused the value: that refusal names it already.
  if (!URL.canParse(value)) return true;
  const url = new URL(value);
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.test(url.hostname));
}, "must be an https:// URL (http:// only for localhost, 127.0.0.1 or [::1])");

const urlList = z
  .string()
  .min(1)
  .transform((value) =>
    value
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .refine((list) => list.length > 0, "must list at least one value");

/**
 * Every setting the service reads from `process.env`, with its default. The Bicep templates in `infra/`
 * declare the same names (a test keeps the two in step); `local.settings.example.json` gives each a working
 * local value.
 */
export const configSchema = z
  .object({
    /** Table service endpoint in Azure, e.g. `https://<account>.table.core.windows.net`. */
    APP_PASSWORDS_TABLE_ENDPOINT: secureUrl.optional(),
    /** Connection string, for Azurite only; in Azure the endpoint and managed identity are used. */
    APP_PASSWORDS_TABLE_CONNECTION_STRING: z.string().min(1).optional(),
    APP_PASSWORDS_TABLE_NAME: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, "must be 3-63 letters or digits, starting with a letter")
      .default("AppPasswords"),
    /** Client id of the user-assigned managed identity that `DefaultAzureCredential` should use. */
    AZURE_CLIENT_ID: z.string().min(1).optional(),
    /** Accepted token issuers, comma-separated (Entra v2: `https://login.microsoftonline.com/<tenant>/v2.0`). */
    AUTH_ISSUER: urlList,
    /** Accepted token audiences, comma-separated: the API's application id URI and/or client id. */
    AUTH_AUDIENCE: urlList,
    /** The issuer's JSON Web Key Set. */
    AUTH_JWKS_URI: secureUrl,
    /** The delegated scope (`scp`) a token must carry for the user endpoints. */
    AUTH_REQUIRED_SCOPE: z
      .string()
      .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, "must be one scope name, without spaces")
      .default("AppPasswords.Manage"),
    /**
     * Secret that keys the wrong-password fingerprints and the keys of unknown login names, so a copy of the
     * table confirms no guess. Not stored in the table; changing it only resets throttling counts.
     */
    APP_PASSWORDS_THROTTLE_KEY: z
      .string()
      // App Service passes a Key Vault reference it could not resolve (the identity's role not there yet) as
      // its own text: a long string, but no secret.
      .refine(
        (value) => !value.startsWith("@Microsoft.KeyVault("),
        "is a Key Vault reference the platform could not resolve: check the app identity's access to the vault",
      )
      .min(32, "must be at least 32 characters of secret, e.g. from: openssl rand -base64 32"),
    /** Tenant policy "allow users to create app passwords". */
    APP_PASSWORDS_ALLOWED: booleanSetting.default(true),
    /** At most 99: deleting all of a user's app passwords is one transaction of at most 100 operations. */
    APP_PASSWORDS_MAX_PER_USER: positiveInteger(1, 99).default(40),
    /** Longest lifetime of a new app password in days, and the lifetime of one created without; unset: none. */
    APP_PASSWORDS_MAX_LIFETIME_DAYS: positiveInteger(1, 365).optional(),
    /** The daily clean-up deletes app passwords unused (by last use, else creation) this many days; unset: never. */
    APP_PASSWORDS_DELETE_UNUSED_AFTER_DAYS: positiveInteger(1, 3650).optional(),
    /**
     * How old an instance's copy of the saved tenant policy may get before it reads it again, in seconds:
     * every instance applies an administrator's change within this time. 0 reads it at every decision.
     */
    APP_PASSWORDS_POLICY_REFRESH_SECONDS: positiveInteger(0, 30).default(30),
    ARGON2_MEMORY_KIB: positiveInteger(8192, 4 * 1024 * 1024).default(19456),
    ARGON2_TIME_COST: positiveInteger(1, 100).default(2),
    ARGON2_PARALLELISM: positiveInteger(1, 16).default(1),
    /** Time budget of one call to Table Storage; past it the request answers 503. */
    STORAGE_TIMEOUT_MS: positiveInteger(100, 60_000).default(2000),
    /** Successes (and login names) one instance remembers so repeat logins skip argon2; 0 turns it off. */
    REPEAT_LOGIN_MEMORY_ENTRIES: positiveInteger(0, 1_000_000).default(10_000),
    /** How long a success is remembered, in seconds, from the argon2 verification that proved it; 0: off. */
    REPEAT_LOGIN_MEMORY_SECONDS: positiveInteger(0, 86_400).default(3600),
    /** How long a login name's user id is remembered, in seconds: how long a re-pointed name may still resolve to its former holder. */
    LOGIN_NAME_MEMORY_SECONDS: positiveInteger(0, 3600).default(300),
    /** Queue service endpoint of the notices' queue in Azure, e.g. `https://<account>.queue.core.windows.net`. */
    NOTICES_QUEUE_ENDPOINT: secureUrl.optional(),
    /** Connection string of the notices' queue, for Azurite only. */
    NOTICES_QUEUE_CONNECTION_STRING: z.string().min(1).optional(),
    /** SMTP server notices are sent through, e.g. `smtp://127.0.0.1:1025` (outside Azure). */
    NOTICES_SMTP_URL: z.url().optional(),
    /** Azure Communication Services endpoint notices are sent through, with the managed identity. */
    NOTICES_EMAIL_ENDPOINT: secureUrl.optional(),
    /** The notices' sender address (with Communication Services: one of its domain's sender addresses). */
    NOTICES_FROM: z.string().min(3).default("app-passwords@localhost"),
    /** The page's address, which each notice links to. */
    APP_PASSWORDS_PORTAL_URL: z.url().default("http://localhost:7071"),
  })
  .refine(
    (env) =>
      (env.APP_PASSWORDS_TABLE_ENDPOINT === undefined) !== (env.APP_PASSWORDS_TABLE_CONNECTION_STRING === undefined),
    {
      message:
        "set exactly one of APP_PASSWORDS_TABLE_ENDPOINT (Azure) or APP_PASSWORDS_TABLE_CONNECTION_STRING (Azurite)",
      path: ["APP_PASSWORDS_TABLE_ENDPOINT"],
    },
  );

export type Env = z.infer<typeof configSchema>;

/** The names of every setting in {@link configSchema}. */
export const settingNames: readonly string[] = Object.keys(configSchema.shape);

/** Settings that only make sense outside Azure, so the Bicep templates leave them out. */
export const localOnlySettingNames: readonly string[] = [
  "APP_PASSWORDS_TABLE_CONNECTION_STRING",
  "NOTICES_QUEUE_CONNECTION_STRING",
  "NOTICES_SMTP_URL",
];

export interface Config {
  readonly table:
    | { readonly kind: "endpoint"; readonly endpoint: string; readonly tableName: string; readonly clientId?: string }
    | { readonly kind: "connectionString"; readonly connectionString: string; readonly tableName: string };
  readonly auth: {
    readonly issuers: string[];
    readonly audiences: string[];
    readonly jwksUri: string;
    readonly requiredScope: string;
  };
  readonly throttleKey: string;
  /** The app settings' policy: in force until an administrator saves one. */
  readonly policy: AppPasswordPolicy;
  readonly policyRefreshMs: number;
  readonly argon2: { readonly memoryKib: number; readonly timeCost: number; readonly parallelism: number };
  readonly storageTimeoutMs: number;
  readonly repeatLoginMemory: RepeatLoginMemorySettings;
  readonly notices: NoticeConfig;
}

/** Thrown at start when a setting is missing or malformed; the message names every bad setting. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Parses the environment once. Empty strings count as unset, so a blank line in a settings file falls back to
 * the default instead of failing.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    settingNames.flatMap((name) => {
      const value = env[name]?.trim();
      return value === undefined || value === "" ? [] : [[name, value]];
    }),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join(".") || "environment";
      return `${name}: ${issue.code === "invalid_type" && present[name] === undefined ? "is required" : issue.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return {
    table:
      e.APP_PASSWORDS_TABLE_ENDPOINT !== undefined
        ? {
            kind: "endpoint",
            endpoint: e.APP_PASSWORDS_TABLE_ENDPOINT,
            tableName: e.APP_PASSWORDS_TABLE_NAME,
            ...(e.AZURE_CLIENT_ID !== undefined && { clientId: e.AZURE_CLIENT_ID }),
          }
        : {
            kind: "connectionString",
            connectionString: e.APP_PASSWORDS_TABLE_CONNECTION_STRING ?? "",
            tableName: e.APP_PASSWORDS_TABLE_NAME,
          },
    auth: {
      issuers: e.AUTH_ISSUER,
      audiences: e.AUTH_AUDIENCE,
      jwksUri: e.AUTH_JWKS_URI,
      requiredScope: e.AUTH_REQUIRED_SCOPE,
    },
    throttleKey: e.APP_PASSWORDS_THROTTLE_KEY,
    policy: {
      appPasswordsAllowed: e.APP_PASSWORDS_ALLOWED,
      maxPerUser: e.APP_PASSWORDS_MAX_PER_USER,
      ...(e.APP_PASSWORDS_MAX_LIFETIME_DAYS !== undefined && { maxLifetimeDays: e.APP_PASSWORDS_MAX_LIFETIME_DAYS }),
      ...(e.APP_PASSWORDS_DELETE_UNUSED_AFTER_DAYS !== undefined && {
        deleteUnusedAfterDays: e.APP_PASSWORDS_DELETE_UNUSED_AFTER_DAYS,
      }),
    },
    policyRefreshMs: e.APP_PASSWORDS_POLICY_REFRESH_SECONDS * 1000,
    argon2: { memoryKib: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM },
    storageTimeoutMs: e.STORAGE_TIMEOUT_MS,
    repeatLoginMemory: {
      entries: e.REPEAT_LOGIN_MEMORY_ENTRIES,
      lifetimeMs: e.REPEAT_LOGIN_MEMORY_SECONDS * 1000,
      loginNameLifetimeMs: e.LOGIN_NAME_MEMORY_SECONDS * 1000,
    },
    notices: {
      ...(e.NOTICES_QUEUE_ENDPOINT !== undefined && { queueEndpoint: e.NOTICES_QUEUE_ENDPOINT }),
      ...(e.NOTICES_QUEUE_CONNECTION_STRING !== undefined && {
        queueConnectionString: e.NOTICES_QUEUE_CONNECTION_STRING,
      }),
      ...(e.NOTICES_SMTP_URL !== undefined && { smtpUrl: e.NOTICES_SMTP_URL }),
      ...(e.NOTICES_EMAIL_ENDPOINT !== undefined && { emailEndpoint: e.NOTICES_EMAIL_ENDPOINT }),
      from: e.NOTICES_FROM,
      portalUrl: e.APP_PASSWORDS_PORTAL_URL,
    },
  };
}

import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../shared/adapters/config";

/** The least a local deployment sets: the trusted issuer and where the table is. */
const minimal = {
  AUTH_ISSUER: "https://login.microsoftonline.com/contoso/v2.0",
  AUTH_AUDIENCE: "api://app-passwords",
  AUTH_JWKS_URI: "https://login.microsoftonline.com/contoso/discovery/v2.0/keys",
  APP_PASSWORDS_TABLE_CONNECTION_STRING: "UseDevelopmentStorage=true",
  APP_PASSWORDS_THROTTLE_KEY: "a throttle key of at least 32 characters",
};

/** The ConfigError that loading `env` throws (fails the test if it loads). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("loadConfig", () => {
  describe("happy", () => {
    it("fills in the defaults", () => {
      const config = loadConfig(minimal);
      expect(config.table).toEqual({
        kind: "connectionString",
        connectionString: "UseDevelopmentStorage=true",
        tableName: "AppPasswords",
      });
      expect(config.policy).toEqual({ appPasswordsAllowed: true, maxPerUser: 40 });
      expect(config.argon2).toEqual({ memoryKib: 19456, timeCost: 2, parallelism: 1 });
      expect(config.storageTimeoutMs).toBe(2000);
      expect(config.auth.requiredScope).toBe("AppPasswords.Manage");
    });

    it.each([
      ["AUTH_JWKS_URI", "http://localhost:7071/dev/jwks"],
      ["AUTH_JWKS_URI", "http://127.0.0.1:7071/dev/jwks"],
      ["AUTH_JWKS_URI", "http://[::1]:7071/dev/jwks"],
    ])("accepts %s over plain http on loopback: %s", (name, value) => {
      expect(() => loadConfig({ ...minimal, [name]: value })).not.toThrow();
    });

    it("reads every setting it is given", () => {
      const config = loadConfig({
        AUTH_ISSUER: "https://a.example/v2.0, https://b.example/v2.0",
        AUTH_AUDIENCE: "api://app-passwords,00000000-1111-2222-3333-444444444444",
        AUTH_JWKS_URI: "https://a.example/keys",
        APP_PASSWORDS_TABLE_ENDPOINT: "https://contoso.table.core.windows.net",
        AZURE_CLIENT_ID: "55555555-6666-7777-8888-999999999999",
        APP_PASSWORDS_TABLE_NAME: "Secrets2",
        APP_PASSWORDS_ALLOWED: "false",
        APP_PASSWORDS_MAX_PER_USER: "12",
        ARGON2_MEMORY_KIB: "65536",
        ARGON2_TIME_COST: "3",
        ARGON2_PARALLELISM: "4",
        STORAGE_TIMEOUT_MS: "5000",
        AUTH_REQUIRED_SCOPE: "Mail.AppPasswords",
        APP_PASSWORDS_THROTTLE_KEY: "another throttle key of 32 characters",
        REPEAT_LOGIN_MEMORY_ENTRIES: "0",
        REPEAT_LOGIN_MEMORY_SECONDS: "600",
        LOGIN_NAME_MEMORY_SECONDS: "30",
        APP_PASSWORDS_POLICY_REFRESH_SECONDS: "5",
        NOTICES_QUEUE_ENDPOINT: "https://contoso.queue.core.windows.net",
        NOTICES_EMAIL_ENDPOINT: "https://contoso-mail.communication.azure.com",
        NOTICES_FROM: "DoNotReply@mail.contoso.com",
        APP_PASSWORDS_PORTAL_URL: "https://passwords.contoso.com",
      });
      expect(config).toEqual({
        table: {
          kind: "endpoint",
          endpoint: "https://contoso.table.core.windows.net",
          tableName: "Secrets2",
          clientId: "55555555-6666-7777-8888-999999999999",
        },
        auth: {
          issuers: ["https://a.example/v2.0", "https://b.example/v2.0"],
          audiences: ["api://app-passwords", "00000000-1111-2222-3333-444444444444"],
          jwksUri: "https://a.example/keys",
          requiredScope: "Mail.AppPasswords",
        },
        throttleKey: "another throttle key of 32 characters",
        policy: { appPasswordsAllowed: false, maxPerUser: 12 },
        policyRefreshMs: 5000,
        argon2: { memoryKib: 65536, timeCost: 3, parallelism: 4 },
        storageTimeoutMs: 5000,
        repeatLoginMemory: { entries: 0, lifetimeMs: 600_000, loginNameLifetimeMs: 30_000 },
        notices: {
          queueEndpoint: "https://contoso.queue.core.windows.net",
          emailEndpoint: "https://contoso-mail.communication.azure.com",
          from: "DoNotReply@mail.contoso.com",
          portalUrl: "https://passwords.contoso.com",
        },
      });
    });

    it.each([
      ["true", true],
      ["1", true],
      ["yes", true],
      ["false", false],
      ["0", false],
      ["no", false],
    ])("reads APP_PASSWORDS_ALLOWED=%s as %s", (value, allowed) => {
      expect(loadConfig({ ...minimal, APP_PASSWORDS_ALLOWED: value }).policy.appPasswordsAllowed).toBe(allowed);
    });

    it("counts empty and blank strings as unset, falling back to the default", () => {
      const config = loadConfig({
        ...minimal,
        APP_PASSWORDS_TABLE_ENDPOINT: "",
        APP_PASSWORDS_TABLE_NAME: "",
        APP_PASSWORDS_MAX_PER_USER: "   ",
        APP_PASSWORDS_ALLOWED: "",
        ARGON2_MEMORY_KIB: "",
      });
      expect(config.table).toMatchObject({ kind: "connectionString", tableName: "AppPasswords" });
      expect(config.policy).toEqual({ appPasswordsAllowed: true, maxPerUser: 40 });
      expect(config.argon2.memoryKib).toBe(19456);
    });

    it("trims settings", () => {
      expect(loadConfig({ ...minimal, APP_PASSWORDS_MAX_PER_USER: " 12 " }).policy.maxPerUser).toBe(12);
    });

    it("ignores variables it does not know", () => {
      expect(() => loadConfig({ ...minimal, PATH: "/usr/bin", SOMETHING_ELSE: "x" })).not.toThrow();
    });
  });

  describe("errors", () => {
    it.each([
      ["APP_PASSWORDS_MAX_PER_USER", "abc"],
      ["APP_PASSWORDS_MAX_PER_USER", "0"],
      ["APP_PASSWORDS_MAX_PER_USER", "2.5"],
      ["APP_PASSWORDS_MAX_PER_USER", "100"],
      ["APP_PASSWORDS_ALLOWED", "maybe"],
      ["APP_PASSWORDS_ALLOWED", "TRUE!"],
      ["AUTH_JWKS_URI", "not-a-url"],
      ["APP_PASSWORDS_TABLE_NAME", "1table"],
      ["APP_PASSWORDS_TABLE_NAME", "app-passwords"],
      ["ARGON2_MEMORY_KIB", "1024"],
      ["ARGON2_TIME_COST", "0"],
      ["ARGON2_PARALLELISM", "many"],
      ["STORAGE_TIMEOUT_MS", "10"],
      ["APP_PASSWORDS_THROTTLE_KEY", "too short"],
      ["AUTH_REQUIRED_SCOPE", "two scopes"],
      // More than 30 s would break "every instance applies a change within 30 seconds".
      ["APP_PASSWORDS_POLICY_REFRESH_SECONDS", "31"],
      ["APP_PASSWORDS_POLICY_REFRESH_SECONDS", "-1"],
    ])("fails with a ConfigError naming %s when it is %j", (name, value) => {
      const error = configError({ ...minimal, [name]: value });
      expect(error.message).toContain(name);
    });

    it.each([
      ["APP_PASSWORDS_MAX_PER_USER", "abc", "from 1 to 99"],
      ["ARGON2_MEMORY_KIB", "abc", "from 8192 to 4194304"],
      ["ARGON2_MEMORY_KIB", "1024", "from 8192 to 4194304"],
      ["STORAGE_TIMEOUT_MS", "1.5", "from 100 to 60000"],
    ])("gives the valid range when %s is %j", (name, value, range) => {
      expect(configError({ ...minimal, [name]: value }).message).toContain(`${name}: must be a whole number ${range}`);
    });

    it.each([
      ["AUTH_JWKS_URI", "http://login.example.net/keys"],
      ["AUTH_JWKS_URI", "http://127.0.0.1.example.net/keys"],
      ["APP_PASSWORDS_TABLE_ENDPOINT", "http://contoso.table.core.windows.net"],
    ])("refuses %s over plain http off loopback, naming it: %s", (name, value) => {
      const env = { ...minimal, APP_PASSWORDS_TABLE_CONNECTION_STRING: "", [name]: value };
      expect(configError(env).message).toMatch(new RegExp(`${name}: must be an https:// URL`));
    });

    it("refuses a Key Vault reference the platform left unresolved as the throttle key, saying what to check", () => {
      const reference = "@Microsoft.KeyVault(SecretUri=https://kv-contoso.vault.azure.net/secrets/throttle-key/)";
      expect(configError({ ...minimal, APP_PASSWORDS_THROTTLE_KEY: reference }).message).toContain(
        "APP_PASSWORDS_THROTTLE_KEY: is a Key Vault reference the platform could not resolve",
      );
    });

    it("does not echo the throttle key in its message", () => {
      expect(configError({ ...minimal, APP_PASSWORDS_THROTTLE_KEY: "s3cr3t" }).message).not.toContain("s3cr3t");
    });

    it.each(["AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_JWKS_URI", "APP_PASSWORDS_THROTTLE_KEY"])(
      "fails with a ConfigError saying %s is required when it is missing",
      (name) => {
        const env = Object.fromEntries(Object.entries(minimal).filter(([key]) => key !== name));
        expect(configError(env).message).toMatch(new RegExp(`${name}: is required`));
      },
    );

    it("counts an empty AUTH_ISSUER as missing", () => {
      expect(configError({ ...minimal, AUTH_ISSUER: "" }).message).toMatch(/AUTH_ISSUER: is required/);
    });

    it.each(["AUTH_ISSUER", "AUTH_AUDIENCE"])("fails naming %s when it lists only separators", (name) => {
      // "," would otherwise leave no accepted value: every token refused, with no word why.
      expect(configError({ ...minimal, [name]: " , ," }).message).toContain(name);
    });

    it("fails naming both table settings when both are set", () => {
      const error = configError({ ...minimal, APP_PASSWORDS_TABLE_ENDPOINT: "https://contoso.table.core.windows.net" });
      expect(error.message).toContain("APP_PASSWORDS_TABLE_ENDPOINT");
      expect(error.message).toContain("APP_PASSWORDS_TABLE_CONNECTION_STRING");
    });

    it("fails naming both table settings when neither is set", () => {
      const error = configError({ ...minimal, APP_PASSWORDS_TABLE_CONNECTION_STRING: "  " });
      expect(error.message).toContain("APP_PASSWORDS_TABLE_ENDPOINT");
      expect(error.message).toContain("APP_PASSWORDS_TABLE_CONNECTION_STRING");
    });

    it("fails naming the table endpoint when it is not a URL", () => {
      const env = { ...minimal, APP_PASSWORDS_TABLE_CONNECTION_STRING: "", APP_PASSWORDS_TABLE_ENDPOINT: "contoso" };
      expect(configError(env).message).toContain("APP_PASSWORDS_TABLE_ENDPOINT");
    });

    it("names every bad setting at once", () => {
      const error = configError({ ...minimal, APP_PASSWORDS_MAX_PER_USER: "abc", APP_PASSWORDS_ALLOWED: "maybe" });
      expect(error.message).toContain("APP_PASSWORDS_MAX_PER_USER");
      expect(error.message).toContain("APP_PASSWORDS_ALLOWED");
    });

    it("does not echo the connection string in its message", () => {
      const secret = "DefaultEndpointsProtocol=http;AccountName=x;AccountKey=c2VjcmV0;";
      const error = configError({ ...minimal, APP_PASSWORDS_TABLE_CONNECTION_STRING: secret, AUTH_JWKS_URI: "x" });
      expect(error.message).not.toContain("c2VjcmV0");
    });
  });
});

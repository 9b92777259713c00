import { ADMIN_ROLE } from "../../shared/domain/principal";

/** The `roles` claim of an administrator's token. */
export const ADMIN_ROLES = [ADMIN_ROLE];

/**
 * argon2id at the lowest cost the config accepts: tests need real hashes, not strong ones. For the domain's
 * hasher as is; for a service, as settings (`CHEAP_ARGON2_SETTINGS`).
 */
export const CHEAP_ARGON2 = { memoryKib: 8192, timeCost: 1, parallelism: 1 } as const;

/** `CHEAP_ARGON2` as the settings a service reads. */
export const CHEAP_ARGON2_SETTINGS = {
  ARGON2_MEMORY_KIB: String(CHEAP_ARGON2.memoryKib),
  ARGON2_TIME_COST: String(CHEAP_ARGON2.timeCost),
  ARGON2_PARALLELISM: String(CHEAP_ARGON2.parallelism),
};

/**
 * `{user}` route values every route refuses with 400 naming `user`: `me`, an object id or a login name is
 * accepted, and nothing that could be read as a path or disguises `me`. Percent-encoded as they go into the path.
 */
export const INVALID_USER_PARAMS = [
  ["an encoded slash and dot segment", "me%2F.."],
  ["encoded dots and slash", "%2E%2E%2Fme"],
  ["an encoded backslash", "me%5C.."],
  ["a SQL-ish string", "me'%20or%20'1'%3D'1"],
  ["me with a NUL", "me%00"],
  ["ME in capitals", "ME"],
  ["a name with a line break", "alice%0A@contoso.com"],
] as const;

/**
 * `{user}` values that name someone other than the caller (a login name, or what is not an object id and so
 * reads as one): every route refuses them with 403 for anyone but an administrator, before looking anyone up.
 */
export const OTHER_USER_PARAMS = [
  ["a login name", "alice"],
  ["an email address", "alice@contoso.com"],
  ["a GUID with a stray letter", "00000000-0000-0000-0000-00000000000g"],
  ["a GUID in braces", "{9a3c2f1e-0b4d-4c5e-8f60-7a1b2c3d4e5f}"],
] as const;

/** The mail client address `verify` reports unless a test gives another (`clientIp: undefined` sends none). */
export const DEFAULT_CLIENT_IP = "198.51.100.1";

/** The throttle key domain tests build their services with (the local host's are drawn per service). */
export const TEST_THROTTLE_KEY = "a test throttle key, 32 characters or more";

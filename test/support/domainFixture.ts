import { createArgon2Hasher, type Argon2Parameters } from "../../shared/adapters/argon2Hasher";
import {
  createAppPasswordService,
  type AppPasswordPolicy,
  type AppPasswordRequest,
  type AppPasswordService,
  type AppPasswordServiceOptions,
  type IssuedAppPassword,
} from "../../shared/domain/appPasswordService";
import type { AppPasswordStore } from "../../shared/domain/appPasswordStore";
import type { Principal } from "../../shared/domain/principal";
import { CHEAP_ARGON2, TEST_THROTTLE_KEY } from "./constants";
import { principal, uniqueLogin } from "./fixtures";
import { azuriteStore, countingHasher, freshTableName } from "./testService";

/** Where the domain tests' clock starts. */
export const FIXTURE_START = new Date("2026-05-01T08:00:00.000Z");

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The tenant policy of `newService` unless a test gives its own. */
export const DEFAULT_POLICY: AppPasswordPolicy = { appPasswordsAllowed: true, maxPerUser: 40 };

/** The domain over the real Table Storage store (Azurite) and real argon2, with a clock tests move. */
export interface DomainFixture {
  /** The store every service of the fixture shares (read when a service is made). */
  readonly store: () => AppPasswordStore;
  readonly clock: { now: Date };
  /** Argon2 hashes and verifications so far, of every service of the fixture. */
  readonly counts: { hash: number; verify: number };
  /** Moves the clock forward, answering the new time. */
  readonly later: (ms: number) => Date;
  /** A service over the fixture's store, hasher and clock; `options` replace the defaults (the policy wholly). */
  readonly newService: (
    options?: Partial<AppPasswordServiceOptions> & { readonly argon2?: Argon2Parameters },
  ) => AppPasswordService;
  /** A person who registered with `on`, and their initial app password. */
  readonly registered: (
    prefix: string,
    on: AppPasswordService,
  ) => Promise<{ person: Principal; initial: IssuedAppPassword }>;
  /** Creates an app password with `on` that must succeed (a name alone, or a whole request). */
  readonly created: (
    person: Principal,
    request: string | AppPasswordRequest,
    on: AppPasswordService,
  ) => Promise<IssuedAppPassword>;
}

/**
 * One fixture for the domain's tests: a table of its own in the test run's Azurite (or the store `store` gives,
 * such as one behind a counting proxy), argon2 at the lowest accepted cost, counted, and a clock.
 */
export function domainFixture(options: { readonly store?: () => AppPasswordStore } = {}): DomainFixture {
  const own = options.store ? undefined : azuriteStore(freshTableName());
  const store = options.store ?? (() => own as AppPasswordStore);
  const clock = { now: FIXTURE_START };
  const counts = { hash: 0, verify: 0 };
  return {
    store,
    clock,
    counts,
    later: (ms) => (clock.now = new Date(clock.now.getTime() + ms)),
    newService: ({ argon2 = CHEAP_ARGON2, ...overrides } = {}) =>
      createAppPasswordService({
        store: store(),
        hasher: countingHasher(counts)(createArgon2Hasher(argon2)),
        policy: DEFAULT_POLICY,
        throttleKey: TEST_THROTTLE_KEY,
        now: () => clock.now,
        ...overrides,
      }),
    registered: async (prefix, on) => {
      const person = principal(uniqueLogin(prefix));
      const outcome = await on.register(person, person.userId);
      if (outcome.code !== "REGISTERED" || !outcome.appPassword)
        throw new Error(`registration refused: ${outcome.code}`);
      return { person, initial: outcome.appPassword };
    },
    created: async (person, request, on) => {
      const outcome = await on.create(person, person.userId, typeof request === "string" ? { name: request } : request);
      if (outcome.code !== "CREATED") throw new Error(`create refused: ${outcome.code}`);
      return outcome.appPassword;
    },
  };
}

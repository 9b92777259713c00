import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createTablePolicyStore } from "../../../shared/adapters/tablePolicyStore";
import { StorageUnavailableError } from "../../../shared/domain/appPasswordStore";
import type { AppPasswordPolicy } from "../../../shared/domain/domainContext";
import { createPolicyService, createPolicySource, settingsEtag, type PolicyStore } from "../../../shared/domain/policy";
import { FIXTURE_START } from "../../support/domainFixture";
import { principal } from "../../support/fixtures";
import { freshTableName } from "../../support/testService";

// The policy's rules over the real Table Storage store (Azurite) and a clock the tests move.

const DEFAULTS: AppPasswordPolicy = { appPasswordsAllowed: true, maxPerUser: 40 };
const OFF: AppPasswordPolicy = { appPasswordsAllowed: false, maxPerUser: 10, maxLifetimeDays: 30 };
const admin = principal("admin@contoso.com", { isAdmin: true });
const person = principal("alice@contoso.com");

/** A policy store on a fresh table, counting its reads, that can be switched to an Azurite that is not there. */
function policyStore() {
  const location = { connectionString: inject("tableConnectionString"), tableName: freshTableName() };
  const real = createTablePolicyStore(location, { timeoutMs: 5000 });
  // A real store whose Azurite does not answer: port 9 (discard) on loopback refuses the connection.
  const unreachable = createTablePolicyStore(
    {
      connectionString:
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;",
      tableName: location.tableName,
    },
    { timeoutMs: 1000 },
  );
  const state = { reads: 0, down: false };
  const store: PolicyStore = {
    getPolicy: () => {
      state.reads++;
      return (state.down ? unreachable : real).getPolicy();
    },
    savePolicy: (...args) => (state.down ? unreachable : real).savePolicy(...args),
    listPolicyChanges: (...args) => (state.down ? unreachable : real).listPolicyChanges(...args),
  };
  return { store, state };
}

/** Two instances over one store, each with its own copy, on one clock. */
function instances(refreshMs: number) {
  const { store, state } = policyStore();
  const clock = { at: FIXTURE_START.getTime() };
  const now = () => new Date(clock.at);
  const stale: Error[] = [];
  const instance = () => {
    const source = createPolicySource({ store, defaults: DEFAULTS, refreshMs, now, onStale: (e) => stale.push(e) });
    return { source, service: createPolicyService({ source, store, now }) };
  };
  return { one: instance(), two: instance(), clock, state, stale };
}

describe("the tenant policy", () => {
  it("is the app settings' until an administrator saves one, under an ETag that names those values", async () => {
    const { one } = instances(30_000);
    const view = await one.source.read();
    expect(view).toEqual({ source: "settings", policy: DEFAULTS, etag: settingsEtag(DEFAULTS) });
    expect(settingsEtag({ ...DEFAULTS, maxPerUser: 41 })).not.toBe(view.etag);
    expect(await one.source.current()).toEqual(DEFAULTS);
  });

  it("is applied by another instance once its copy is refreshMs old, and not before", async () => {
    const { one, two, clock } = instances(30_000);
    expect(await two.source.current()).toEqual(DEFAULTS);
    const saved = await one.service.save(admin, settingsEtag(DEFAULTS), OFF);
    expect(saved.code).toBe("POLICY_SAVED");
    expect(await one.source.current()).toEqual(OFF);
    clock.at += 29_999;
    expect(await two.source.current()).toEqual(DEFAULTS);
    clock.at += 1;
    expect(await two.source.current()).toEqual(OFF);
  });

  it("is read once per refresh however many decisions ask for it at once, and at every decision with 0", async () => {
    const cached = instances(30_000);
    await Promise.all(Array.from({ length: 20 }, () => cached.one.source.current()));
    await cached.one.source.current();
    expect(cached.state.reads).toBe(1);

    const uncached = instances(0);
    await uncached.one.source.current();
    await uncached.one.source.current();
    expect(uncached.state.reads).toBe(2);
  });

  it("keeps the last policy read when storage fails, and is unavailable when none was ever read", async () => {
    const { one, two, clock, state, stale } = instances(30_000);
    await one.service.save(admin, "*", OFF);
    expect(await one.source.current()).toEqual(OFF);
    state.down = true;
    clock.at += 60_000;
    expect(await one.source.current()).toEqual(OFF);
    expect(stale).toHaveLength(1);
    expect(stale[0]).toBeInstanceOf(StorageUnavailableError);
    await expect(two.source.current()).rejects.toBeInstanceOf(StorageUnavailableError);
    // An explicit read (GET /api/policy, a save) tells the truth: storage is not there.
    await expect(one.service.get(person)).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it("is changed only by administrators, only over the version they read, and records each change once", async () => {
    const { one, two } = instances(30_000);
    expect((await one.service.save(person, "*", OFF)).code).toBe("FORBIDDEN");
    expect((await one.service.listChanges(person, 10)).code).toBe("FORBIDDEN");
    expect((await one.service.save(admin, '"not-the-etag"', OFF)).code).toBe("POLICY_CHANGED");

    const first = await one.service.get(admin);
    if (first.code !== "POLICY") throw new Error(first.code);
    const [a, b] = await Promise.all([
      one.service.save(admin, first.view.etag, OFF),
      two.service.save(admin, first.view.etag, { ...OFF, maxPerUser: 11 }),
    ]);
    expect([a.code, b.code].sort()).toEqual(["POLICY_CHANGED", "POLICY_SAVED"]);

    const same = await one.service.get(admin);
    if (same.code !== "POLICY") throw new Error(same.code);
    const unchanged = await one.service.save(admin, same.view.etag, same.view.policy);
    expect(unchanged).toEqual({ code: "POLICY_SAVED", view: same.view });

    const changes = await one.service.listChanges(admin, 10);
    if (changes.code !== "POLICY_CHANGES") throw new Error(changes.code);
    expect(changes.page.items).toHaveLength(1);
    expect(changes.page.items[0]).toMatchObject({
      by: { loginName: admin.loginName, userId: admin.userId },
      previous: DEFAULTS,
      next: same.view.policy,
    });
    expect((await one.service.listChanges(admin, 10, "bm9wZQ")).code).toBe("INVALID_CONTINUATION");
  });
});

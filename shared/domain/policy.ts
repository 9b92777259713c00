import { createHash } from "node:crypto";
import { mayAdminister } from "./access";
import { StorageUnavailableError } from "./appPasswordStore";
import { systemClock, type Clock } from "./clock";
import { refuse, type AppPasswordPolicy } from "./domainContext";
import type { Refusal } from "./outcomes";
import type { Principal } from "./principal";

// The tenant policy that administrators change at run time: where it comes from, how fresh each instance
// holds it, who may change it, and the record of each change.

/** The administrator who made a change, by login name and object id. */
export interface PolicyAdmin {
  readonly loginName: string;
  readonly userId: string;
}

/** One change of the policy: a tenant activity event, never anything secret. */
export interface PolicyChange {
  readonly at: Date;
  readonly by: PolicyAdmin;
  readonly previous: AppPasswordPolicy;
  readonly next: AppPasswordPolicy;
}

/** The policy an administrator saved, with the concurrency token of its row. */
export interface SavedPolicy {
  readonly policy: AppPasswordPolicy;
  readonly etag: string;
  readonly savedAt: Date;
  readonly savedBy: PolicyAdmin;
}

/** The policy in force and where it comes from: the app settings until an administrator saves one. */
export type PolicyView =
  | { readonly source: "settings"; readonly policy: AppPasswordPolicy; readonly etag: string }
  | ({ readonly source: "saved" } & SavedPolicy);

export interface PolicyChangesPage {
  readonly items: readonly PolicyChange[];
  readonly continuation?: string;
}

/** Persistence of the tenant's one policy and its changes. */
export interface PolicyStore {
  getPolicy(): Promise<SavedPolicy | undefined>;
  /**
   * Saves `next` and its change event in one write: over the row read with `etag`, or as the first policy
   * when `etag` is undefined; `conflict` (nothing written) when the row is not as read.
   */
  savePolicy(next: AppPasswordPolicy, change: PolicyChange, etag: string | undefined): Promise<"done" | "conflict">;
  /** The changes, newest first, `limit` at most, from where `continuation` left off. */
  listPolicyChanges(limit: number, continuation?: string): Promise<PolicyChangesPage | "bad-continuation">;
}

/**
 * The ETag of the app settings' policy: it names the values, so an edit begun before a redeploy that changed
 * them is refused like one begun before another administrator's save.
 */
export const settingsEtag = (defaults: AppPasswordPolicy): string =>
  `"settings-${createHash("sha256")
    .update(JSON.stringify(canonical(defaults)))
    .digest("hex")
    .slice(0, 16)}"`;

const canonical = (policy: AppPasswordPolicy) => ({
  appPasswordsAllowed: policy.appPasswordsAllowed,
  maxPerUser: policy.maxPerUser,
  maxLifetimeDays: policy.maxLifetimeDays ?? null,
  deleteUnusedAfterDays: policy.deleteUnusedAfterDays ?? null,
});

/** Whether two policies decide everything alike. */
export const samePolicy = (a: AppPasswordPolicy, b: AppPasswordPolicy): boolean =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

export interface PolicySourceOptions {
  readonly store: PolicyStore;
  /** The app settings' policy: in force until an administrator saves one. */
  readonly defaults: AppPasswordPolicy;
  /** How long an instance decides by the copy it read before reading it again; 0: read at every decision. */
  readonly refreshMs: number;
  readonly now?: Clock;
  /** Told when a refresh failed and the last known policy stays in force. */
  readonly onStale?: (error: Error) => void;
}

/** An instance's copy of the policy: what every rule decides by. */
export interface PolicySource {
  /** How old a copy may be before it is read again. */
  readonly refreshMs: number;
  /**
   * The policy in force: the copy read less than `refreshMs` ago, else read again. When storage fails the
   * last known policy stays in force (a blip never turns app passwords back on or off); with none known yet,
   * `StorageUnavailableError` (a 503).
   */
  current(): Promise<AppPasswordPolicy>;
  /** The policy as stored now, read from storage (and kept as this instance's copy). */
  read(): Promise<PolicyView>;
  /** `read`, started after a write of this instance: it sees that write. */
  readAfterWrite(): Promise<PolicyView>;
}

/** A per-instance copy that is at most `refreshMs` old: every instance applies a change within that time. */
export function createPolicySource(options: PolicySourceOptions): PolicySource {
  const { store, defaults, refreshMs } = options;
  const now = options.now ?? systemClock;
  const fromSettings: PolicyView = { source: "settings", policy: defaults, etag: settingsEtag(defaults) };
  let known: { readonly view: PolicyView; readonly readAt: number; readonly seq: number } | undefined;
  let reading: Promise<PolicyView> | undefined;
  let reads = 0;

  /** Reads the row; the copy kept is the one whose read started last, whichever answer arrives first. */
  async function readRow(): Promise<PolicyView> {
    const seq = ++reads;
    const readAt = now().getTime();
    const saved = await store.getPolicy();
    const view: PolicyView = saved ? { source: "saved", ...saved } : fromSettings;
    if (known === undefined || seq > known.seq) known = { view, readAt, seq };
    return view;
  }

  function read(): Promise<PolicyView> {
    // Calls that arrive while a read is under way share it: one storage request per instance per refresh.
    reading ??= readRow().finally(() => {
      reading = undefined;
    });
    return reading;
  }

  return {
    refreshMs,
    read,
    // After a write: a read already under way may have started before it, so this one never joins it.
    readAfterWrite: readRow,
    async current() {
      if (known !== undefined && now().getTime() - known.readAt < refreshMs) return known.view.policy;
      try {
        return (await read()).policy;
      } catch (error) {
        if (!(error instanceof StorageUnavailableError) || known === undefined) throw error;
        options.onStale?.(error);
        return known.view.policy;
      }
    },
  };
}

export type PolicyOutcome = { readonly code: "POLICY"; readonly view: PolicyView } | Refusal;
export type SavePolicyOutcome = { readonly code: "POLICY_SAVED"; readonly view: PolicyView } | Refusal;
export type PolicyChangesOutcome = { readonly code: "POLICY_CHANGES"; readonly page: PolicyChangesPage } | Refusal;

/** Reading and changing the tenant policy. */
export interface PolicyService {
  /** Every instance applies a change within this many milliseconds. */
  readonly refreshMs: number;
  /** What the rules decide by now, on this instance. */
  current(): Promise<AppPasswordPolicy>;
  /** The policy as stored now, for anyone signed in: what applies to them, with its ETag. */
  get(actor: Principal): Promise<PolicyOutcome>;
  /**
   * An administrator saves `next` over the version `ifMatch` names (`*`: whichever is stored), writing the
   * change event with it; `POLICY_CHANGED` when someone else saved first. Saving what is in force changes
   * nothing and records nothing.
   */
  save(actor: Principal, ifMatch: string, next: AppPasswordPolicy): Promise<SavePolicyOutcome>;
  /** The changes of the policy, newest first, for administrators. */
  listChanges(actor: Principal, limit: number, continuation?: string): Promise<PolicyChangesOutcome>;
}

export interface PolicyServiceOptions {
  readonly source: PolicySource;
  readonly store: PolicyStore;
  readonly now?: Clock;
}

const changed = () =>
  refuse("POLICY_CHANGED", "Someone else changed the policy since you read it. Read it again, then make your change.");

export function createPolicyService(options: PolicyServiceOptions): PolicyService {
  const { source, store } = options;
  const now = options.now ?? systemClock;
  return {
    refreshMs: source.refreshMs,
    current: () => source.current(),

    async get() {
      return { code: "POLICY", view: await source.read() };
    },

    async save(actor, ifMatch, next) {
      const refusal = mayAdminister(actor, "change the tenant policy");
      if (refusal) return refusal;
      const view = await source.read();
      if (ifMatch !== "*" && ifMatch !== view.etag) return changed();
      if (samePolicy(view.policy, next)) return { code: "POLICY_SAVED", view };
      const change: PolicyChange = {
        at: now(),
        by: { loginName: actor.loginName, userId: actor.userId },
        previous: view.policy,
        next,
      };
      const outcome = await store.savePolicy(next, change, view.source === "saved" ? view.etag : undefined);
      if (outcome === "conflict") return changed();
      return { code: "POLICY_SAVED", view: await source.readAfterWrite() };
    },

    async listChanges(actor, limit, continuation) {
      const refusal = mayAdminister(actor, "read the changes of the tenant policy");
      if (refusal) return refusal;
      const page = await store.listPolicyChanges(limit, continuation);
      if (page === "bad-continuation") {
        return refuse("INVALID_CONTINUATION", "This continuation was not handed out by this endpoint.");
      }
      return { code: "POLICY_CHANGES", page };
    },
  };
}

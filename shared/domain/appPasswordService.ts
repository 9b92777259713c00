import { resolveUser, type ResolveOutcome } from "./access";
import type { AppPasswordRequest } from "./appPasswordRecords";
import { createCleanUp, type CleanUpReport } from "./cleanUp";
import { createDomainContext, type DomainContextOptions } from "./domainContext";
import { createLoginNames, type LiftLoginNameReleaseOutcome, type ReleaseLoginNameOutcome } from "./loginNames";
import {
  createManagement,
  type ActivityOutcome,
  type CreateOutcome,
  type GetOutcome,
  type ListOutcome,
  type RemoveOutcome,
  type RenameOutcome,
  type ResetThrottleOutcome,
} from "./management";
import { createInventory, type InventoryFilter, type InventoryOutcome } from "./inventory";
import type { Principal } from "./principal";
import { createRegistration, type RegisterOutcome } from "./registration";
import type { RepeatLoginMemorySettings } from "./repeatLoginMemory";
import { createVerifier, type VerifyOutcome, type VerifyRequest } from "./verify";

// The rooms' own types, where the rest of the code has always found them.
export type { ResolveOutcome } from "./access";
export type { AppPasswordRequest, AppPasswordSummary, IssuedAppPassword } from "./appPasswordRecords";
export { DELETE_EXPIRED_AFTER_MS, type CleanUpReport } from "./cleanUp";
export type { AppPasswordPolicy } from "./domainContext";
export type { InventoryFilter, InventoryItem, InventoryOutcome } from "./inventory";
export type { LiftLoginNameReleaseOutcome, ReleaseLoginNameOutcome } from "./loginNames";
export type {
  ActivityOutcome,
  CreateOutcome,
  GetOutcome,
  ListOutcome,
  RemoveOutcome,
  RenameOutcome,
  ResetThrottleOutcome,
} from "./management";
export { INITIAL_APP_PASSWORD_NAME, type RegisterOutcome } from "./registration";

export interface AppPasswordServiceOptions extends DomainContextOptions {
  /** Keys the throttling fingerprints and unknown login names' keys: see `VerifierOptions.throttleKey`. */
  readonly throttleKey: string;
  /** Bounds of verify's repeat-login memory; without them it is off. */
  readonly repeatLoginMemory?: RepeatLoginMemorySettings;
}

/** Everything the functions ask of the domain; each part is decided in the room named beside it. */
export interface AppPasswordService {
  /** `verify.ts`: is this one of this person's app passwords? */
  verify(request: VerifyRequest): Promise<VerifyOutcome>;
  /** `access.ts`: the user a route's `{user}` names for this caller. */
  resolveUser(actor: Principal, param: string): Promise<ResolveOutcome>;
  /** `registration.ts` */
  /** `fromIp`: the address the page was used from, for the first app password's activity event. */
  register(actor: Principal, targetUserId: string, name?: string, fromIp?: string): Promise<RegisterOutcome>;
  /** `management.ts` */
  create(actor: Principal, targetUserId: string, request: AppPasswordRequest): Promise<CreateOutcome>;
  list(actor: Principal, targetUserId: string): Promise<ListOutcome>;
  get(actor: Principal, targetUserId: string, id: string): Promise<GetOutcome>;
  rename(actor: Principal, targetUserId: string, id: string, name: string): Promise<RenameOutcome>;
  remove(actor: Principal, targetUserId: string, id: string): Promise<RemoveOutcome>;
  removeAll(actor: Principal, targetUserId: string): Promise<RemoveOutcome>;
  listActivity(actor: Principal, targetUserId: string, limit: number, continuation?: string): Promise<ActivityOutcome>;
  resetThrottle(actor: Principal, targetUserId: string): Promise<ResetThrottleOutcome>;
  /** `loginNames.ts` */
  releaseLoginName(actor: Principal, loginName: string): Promise<ReleaseLoginNameOutcome>;
  liftLoginNameRelease(actor: Principal, targetUserId: string, loginName: string): Promise<LiftLoginNameReleaseOutcome>;
  /** `cleanUp.ts`: the daily timers' work. */
  cleanUp(): Promise<CleanUpReport>;
  forgetQuietThrottles(): Promise<number>;
  /** `inventory.ts`: every app password of the organization, a page at a time (administrators). */
  listInventory(
    actor: Principal,
    filter: InventoryFilter,
    limit: number,
    continuation?: string,
  ): Promise<InventoryOutcome>;
}

/**
 * The app passwords domain, its rooms wired over one context: who may act (`access.ts`), registration,
 * management, login names, clean-up, and the verifier (`verify.ts`). It knows nothing of HTTP or Azure; the
 * store, the hasher, the clock and the policy come in through `options`.
 */
export function createAppPasswordService(options: AppPasswordServiceOptions): AppPasswordService {
  const context = createDomainContext(options);
  const loginNames = createLoginNames(context);
  const { verify } = createVerifier({
    store: context.store,
    hasher: context.hasher,
    now: context.now,
    recordActivity: context.recordActivity,
    throttleKey: options.throttleKey,
    ...(options.repeatLoginMemory && { repeatLoginMemory: options.repeatLoginMemory }),
  });
  return {
    verify,
    resolveUser: (actor, param) => resolveUser(context.store, actor, param),
    ...createRegistration(context, loginNames),
    ...createManagement(context, loginNames),
    releaseLoginName: (actor, loginName) => loginNames.releaseLoginName(actor, loginName),
    liftLoginNameRelease: (actor, targetUserId, loginName) =>
      loginNames.liftLoginNameRelease(actor, targetUserId, loginName),
    ...createCleanUp(context),
    ...createInventory(context, context.store),
  };
}

import { createHmac } from "node:crypto";
import { z } from "zod";
import { parseAddress } from "./addresses";

/** The throttling rules for verify. */
export const THROTTLE_RULES = {
  /** Consecutive counted failures from one (user, IP) before it is locked out. */
  maxConsecutiveFailures: 10,
  firstLockoutSeconds: 60,
  maxLockoutSeconds: 3600,
  /** An IP that verified successfully for the user this recently is familiar. */
  familiarForMs: 30 * 24 * 60 * 60 * 1000,
  /**
   * Consecutive failures from unfamiliar IPs, per user, before unfamiliar IPs are refused (NIST SP 800-63B),
   * except for a password whose id tag matches one of the user's app passwords: almost surely the person's own
   * device on a new address (a random guess matches one of 40 tags with odds of 40 in 2^32).
   */
  maxUnfamiliarFailures: 100,
  /** Wrong passwords remembered per (user, IP), so a phone retrying an old password counts once. */
  rememberedWrongPasswords: 5,
  /**
   * Repeats of a remembered wrong password left uncounted per (user, IP) within `uncountedRepeatsWindowMs`;
   * past it they count like any failure. It bounds what a 16-bit fingerprint shared by chance, or by design
   * by whoever holds the throttle key, can check uncounted.
   */
  maxUncountedRepeats: 20,
  /** The window of `maxUncountedRepeats`, from the first uncounted repeat in it. */
  uncountedRepeatsWindowMs: 60 * 60 * 1000,
  /** Retry-After for an unfamiliar IP while the user-wide limit holds (until a success, a reset, or 31 quiet days). */
  userLockRetryAfterSeconds: 900,
  /** `lastSuccessAt` is refreshed at most this often, so a syncing phone does not write on every login. */
  familiarRefreshMs: 24 * 60 * 60 * 1000,
  /**
   * IPs remembered per user. Beyond it the one least worth keeping is forgotten: an unfamiliar IP, the one
   * longest quiet, before any familiar one, so an attacker cycling addresses cannot push out the user's phone.
   */
  maxRememberedIps: 50,
  /**
   * A throttling row nobody wrote to for this long is deleted by the daily `forgetQuietThrottles` timer, so
   * its counts start afresh. By then no address in it is familiar any more (a familiarity dates from a
   * written success) and every lockout has ended: only old counts are lost. Table Storage has no expiry,
   * and without this every login name ever tried would leave a row behind for good.
   */
  forgetQuietAfterMs: 31 * 24 * 60 * 60 * 1000,
} as const;

const isoDate = z.iso.datetime().transform((value) => new Date(value));

/**
 * Verify bookkeeping for one (user, IP): counted failures, lockouts and when it last succeeded. The schema
 * reads it back from its stored JSON form (dates as ISO strings), so the state is declared here once.
 */
export const ipThrottleSchema = z.object({
  failures: z.number().int().nonnegative(),
  lockouts: z.number().int().nonnegative(),
  lockedUntil: isoDate.optional(),
  lastSuccessAt: isoDate.optional(),
  /**
   * 16-bit fingerprints of the last few wrong passwords, keyed with the throttle key (not in the table):
   * nothing can be recovered or confirmed from them.
   */
  recentWrong: z.array(z.string()).readonly(),
  /** Repeats of a remembered wrong password left uncounted since `repeatsSince`; absent (rows written before it): 0. */
  uncountedRepeats: z.number().int().nonnegative().optional(),
  /** When the window of `uncountedRepeats` started. */
  repeatsSince: isoDate.optional(),
  /** When this IP last failed or succeeded: the longest quiet is forgotten first. */
  updatedAt: isoDate,
});

export type IpThrottle = Readonly<z.infer<typeof ipThrottleSchema>>;

/** The per-IP part of a stored throttling state: IP bucket to its bookkeeping. */
export const storedIpsSchema = z.record(z.string(), ipThrottleSchema);

/** Verify bookkeeping for one user (or unknown login name): per IP, and across IPs. */
export interface ThrottleState {
  /** Consecutive failures from unfamiliar IPs, across all of them. */
  readonly unfamiliarFailures: number;
  /** By IP bucket (see `ipBucket`). */
  readonly ips: Readonly<Record<string, IpThrottle>>;
}

/** The state of a user nothing was recorded for. */
export const NO_THROTTLE: ThrottleState = { unfamiliarFailures: 0, ips: {} };

export type ThrottleDecision =
  | { readonly throttled: false; readonly familiar: boolean }
  | { readonly throttled: true; readonly retryAfterSeconds: number };

const isFamiliar = (ip: IpThrottle | undefined, now: Date) =>
  ip?.lastSuccessAt !== undefined && now.getTime() - ip.lastSuccessAt.getTime() < THROTTLE_RULES.familiarForMs;

/**
 * Whether a verify from this IP bucket may run at all; a throttled one costs no argon2 work. `tagMatches`:
 * the presented password's id tag is one of the user's app passwords, which lets it through the user-wide
 * limit (never through the per-IP one), so the person's own devices keep working from new addresses.
 */
export function throttleDecision(
  state: ThrottleState,
  bucket: string,
  now: Date,
  tagMatches = false,
): ThrottleDecision {
  const ip = state.ips[bucket];
  const familiar = isFamiliar(ip, now);
  if (ip?.lockedUntil !== undefined && ip.lockedUntil > now) {
    return { throttled: true, retryAfterSeconds: Math.ceil((ip.lockedUntil.getTime() - now.getTime()) / 1000) };
  }
  if (!familiar && !tagMatches && state.unfamiliarFailures >= THROTTLE_RULES.maxUnfamiliarFailures) {
    return { throttled: true, retryAfterSeconds: THROTTLE_RULES.userLockRetryAfterSeconds };
  }
  return { throttled: false, familiar };
}

/**
 * An HMAC-SHA256 of the owner and the wrong password under the throttle key, truncated to 16 bits: tells
 * repeats apart, and without the key (which is not in the table) confirms nothing.
 */
export function wrongPasswordFingerprint(key: string, owner: string, normalizedPassword: string): string {
  return createHmac("sha256", key).update(`wrong-password:v2:${owner}:${normalizedPassword}`).digest("hex").slice(0, 4);
}

/** `ips` with `bucket` set to `ip`, and the IPs least worth keeping forgotten beyond the limit. */
function withIp(ips: ThrottleState["ips"], bucket: string, ip: IpThrottle, now: Date): Record<string, IpThrottle> {
  const others = Object.entries(ips).filter(([key]) => key !== bucket);
  const excess = others.length + 1 - THROTTLE_RULES.maxRememberedIps;
  if (excess <= 0) return { ...ips, [bucket]: ip };
  // The IP just written is kept; of the others, unfamiliar ones go first, and within each the longest quiet.
  const familiar = (entry: IpThrottle) => (isFamiliar(entry, now) ? 1 : 0);
  const kept = others
    .sort(([, a], [, b]) => familiar(a) - familiar(b) || a.updatedAt.getTime() - b.updatedAt.getTime())
    .slice(excess);
  return Object.fromEntries([...kept, [bucket, ip]]);
}

/**
 * The state after a failed verify from `bucket`. The tenth consecutive counted failure locks the IP for 60 s;
 * each further one, after a lockout, locks it again for twice as long, up to an hour. A repeat of a wrong
 * password remembered there (by its `wrongPasswordFingerprint`) is not counted, so a phone retrying an old
 * password counts once, but only `maxUncountedRepeats` times an hour: beyond that it counts like any failure.
 */
export function afterFailure(
  state: ThrottleState,
  bucket: string,
  fingerprint: string,
  familiar: boolean,
  now: Date,
): ThrottleState {
  const ip = state.ips[bucket];
  const remembered = ip?.recentWrong ?? [];
  if (ip && remembered.includes(fingerprint)) {
    const since =
      ip.repeatsSince && now.getTime() - ip.repeatsSince.getTime() < THROTTLE_RULES.uncountedRepeatsWindowMs
        ? ip.repeatsSince
        : undefined;
    const repeats = since ? (ip.uncountedRepeats ?? 0) : 0;
    if (repeats < THROTTLE_RULES.maxUncountedRepeats) {
      const uncounted: IpThrottle = {
        ...ip,
        uncountedRepeats: repeats + 1,
        repeatsSince: since ?? now,
        updatedAt: now,
      };
      return { ...state, ips: withIp(state.ips, bucket, uncounted, now) };
    }
  }
  const failures = (ip?.failures ?? 0) + 1;
  const lockouts = ip?.lockouts ?? 0;
  const locks = failures >= THROTTLE_RULES.maxConsecutiveFailures;
  const lockSeconds = Math.min(THROTTLE_RULES.firstLockoutSeconds * 2 ** lockouts, THROTTLE_RULES.maxLockoutSeconds);
  const lockedUntil = locks ? new Date(now.getTime() + lockSeconds * 1000) : ip?.lockedUntil;
  const next: IpThrottle = {
    failures,
    lockouts: locks ? lockouts + 1 : lockouts,
    ...(lockedUntil && { lockedUntil }),
    ...(ip?.lastSuccessAt && { lastSuccessAt: ip.lastSuccessAt }),
    // A repeat past the cap is remembered already: appending it again would push out another one.
    recentWrong: remembered.includes(fingerprint)
      ? remembered
      : [...remembered, fingerprint].slice(-THROTTLE_RULES.rememberedWrongPasswords),
    ...(ip?.uncountedRepeats !== undefined && { uncountedRepeats: ip.uncountedRepeats }),
    ...(ip?.repeatsSince && { repeatsSince: ip.repeatsSince }),
    updatedAt: now,
  };
  return {
    unfamiliarFailures: familiar ? state.unfamiliarFailures : state.unfamiliarFailures + 1,
    ips: withIp(state.ips, bucket, next, now),
  };
}

/** The state after a successful verify from `bucket`, or `undefined` when nothing needs writing. A success resets. */
export function afterSuccess(state: ThrottleState, bucket: string, now: Date): ThrottleState | undefined {
  const ip = state.ips[bucket];
  const clean = ip !== undefined && ip.failures === 0 && ip.lockouts === 0 && ip.recentWrong.length === 0;
  const fresh =
    ip?.lastSuccessAt !== undefined && now.getTime() - ip.lastSuccessAt.getTime() < THROTTLE_RULES.familiarRefreshMs;
  if (clean && fresh && state.unfamiliarFailures === 0) return undefined;
  const reset: IpThrottle = { failures: 0, lockouts: 0, lastSuccessAt: now, recentWrong: [], updatedAt: now };
  return { ...state, unfamiliarFailures: 0, ips: withIp(state.ips, bucket, reset, now) };
}

/**
 * The bucket an address is counted in: IPv4 as is, IPv6 by its /64 (one subscriber's whole prefix), and an
 * IPv4-mapped or IPv4-compatible IPv6 address, however it is spelled, as its IPv4 address (see
 * `parseAddress`): otherwise every IPv4 client spelled so would share one `0:0:0:0::/64` bucket.
 */
export function ipBucket(address: string): string {
  const ip = parseAddress(address);
  if (ip === undefined) return "unknown";
  if (!("parts" in ip)) return ip.toString();
  // Written as it always was (`2001:db8:0:0::/64`): stored rows and seen addresses are keyed by it.
  return `${ip.parts
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}

import { createHash, randomBytes } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";

/** The throttling rules for verify. */
export const THROTTLE_RULES = {
  /** Consecutive counted failures from one (user, IP) before it is locked out. */
  maxConsecutiveFailures: 10,
  firstLockoutSeconds: 60,
  maxLockoutSeconds: 3600,
  /** An IP that verified successfully for the user this recently is familiar. */
  familiarForMs: 30 * 24 * 60 * 60 * 1000,
  /** Consecutive failures from unfamiliar IPs, per user, before every unfamiliar IP is refused (NIST SP 800-63B). */
  maxUnfamiliarFailures: 100,
  /** Wrong passwords remembered per (user, IP), so a phone retrying an old password counts once. */
  rememberedWrongPasswords: 5,
  /** Retry-After for an unfamiliar IP while the user-wide limit holds (it lifts on a success or an admin reset). */
  userLockRetryAfterSeconds: 900,
  /** `lastSuccessAt` is refreshed at most this often, so a syncing phone does not write on every login. */
  familiarRefreshMs: 24 * 60 * 60 * 1000,
} as const;

/** Verify bookkeeping for one (user, IP): counted failures, lockouts and when it last succeeded. */
export interface IpThrottle {
  readonly failures: number;
  readonly lockouts: number;
  readonly lockedUntil?: Date;
  readonly lastSuccessAt?: Date;
  /** Random per row: salts the wrong-password fingerprints. */
  readonly salt: string;
  /** 16-bit fingerprints of the last few wrong passwords: nothing can be recovered or confirmed from them. */
  readonly recentWrong: readonly string[];
}

/** Verify bookkeeping for one user across IPs. */
export interface UserThrottle {
  readonly unfamiliarFailures: number;
}

export interface ThrottleState {
  readonly ip?: IpThrottle;
  readonly user?: UserThrottle;
}

export type ThrottleDecision =
  | { readonly throttled: false; readonly familiar: boolean }
  | { readonly throttled: true; readonly retryAfterSeconds: number };

/** Whether a verify from this IP may run at all; a throttled one costs no argon2 work. */
export function throttleDecision(state: ThrottleState, now: Date): ThrottleDecision {
  const { ip, user } = state;
  const familiar =
    ip?.lastSuccessAt !== undefined && now.getTime() - ip.lastSuccessAt.getTime() < THROTTLE_RULES.familiarForMs;
  if (ip?.lockedUntil !== undefined && ip.lockedUntil > now) {
    return { throttled: true, retryAfterSeconds: Math.ceil((ip.lockedUntil.getTime() - now.getTime()) / 1000) };
  }
  if (!familiar && (user?.unfamiliarFailures ?? 0) >= THROTTLE_RULES.maxUnfamiliarFailures) {
    return { throttled: true, retryAfterSeconds: THROTTLE_RULES.userLockRetryAfterSeconds };
  }
  return { throttled: false, familiar };
}

const newIpThrottle = (): IpThrottle => ({
  failures: 0,
  lockouts: 0,
  salt: randomBytes(16).toString("hex"),
  recentWrong: [],
});

/** A salted SHA-256 of the wrong password, truncated to 16 bits: tells repeats apart, confirms nothing. */
export function wrongPasswordFingerprint(salt: string, normalizedPassword: string): string {
  return createHash("sha256").update(`${salt}:${normalizedPassword}`).digest("hex").slice(0, 4);
}

/**
 * The state after a failed verify, or `undefined` when it does not count (the same wrong password again).
 * The tenth consecutive counted failure locks the IP for 60 s; each further one, after a lockout, locks it
 * again for twice as long, up to an hour.
 */
export function afterFailure(
  state: ThrottleState,
  normalizedPassword: string,
  familiar: boolean,
  now: Date,
): Required<ThrottleState> | undefined {
  const ip = state.ip ?? newIpThrottle();
  const fingerprint = wrongPasswordFingerprint(ip.salt, normalizedPassword);
  if (ip.recentWrong.includes(fingerprint)) return undefined;
  const failures = ip.failures + 1;
  const locks = failures >= THROTTLE_RULES.maxConsecutiveFailures;
  const lockSeconds = Math.min(THROTTLE_RULES.firstLockoutSeconds * 2 ** ip.lockouts, THROTTLE_RULES.maxLockoutSeconds);
  const unfamiliarFailures = state.user?.unfamiliarFailures ?? 0;
  return {
    ip: {
      ...ip,
      failures,
      lockouts: locks ? ip.lockouts + 1 : ip.lockouts,
      ...(locks && { lockedUntil: new Date(now.getTime() + lockSeconds * 1000) }),
      recentWrong: [...ip.recentWrong, fingerprint].slice(-THROTTLE_RULES.rememberedWrongPasswords),
    },
    user: { unfamiliarFailures: familiar ? unfamiliarFailures : unfamiliarFailures + 1 },
  };
}

/** The state after a successful verify, or `undefined` when nothing needs writing. A success resets. */
export function afterSuccess(state: ThrottleState, now: Date): ThrottleState | undefined {
  const { ip, user } = state;
  const clean = ip !== undefined && ip.failures === 0 && ip.lockouts === 0 && ip.recentWrong.length === 0;
  const fresh =
    ip?.lastSuccessAt !== undefined && now.getTime() - ip.lastSuccessAt.getTime() < THROTTLE_RULES.familiarRefreshMs;
  const userClean = (user?.unfamiliarFailures ?? 0) === 0;
  if (clean && fresh && userClean) return undefined;
  return {
    ip: { ...newIpThrottle(), ...(ip && { salt: ip.salt }), lastSuccessAt: now },
    ...(!userClean && { user: { unfamiliarFailures: 0 } }),
  };
}

/**
 * The bucket an address is counted in: IPv4 as is, IPv6 by its /64 (one subscriber's whole prefix), an
 * IPv4-mapped IPv6 address as its IPv4 address.
 */
export function ipBucket(address: string): string {
  const ip = address.trim().replace(/^\[|\]$/g, "");
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  const [head = "", tail = ""] = ip.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const headGroups = parse(head);
  const tailGroups = parse(tail);
  const groups = ip.includes("::")
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}

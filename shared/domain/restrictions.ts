import { addressInRanges } from "./addresses";
import type { Protocol } from "./protocols";

/** Longest lifetime a person can give an app password, in days. */
export const MAX_LIFETIME_DAYS = 365;
/** Most address ranges an app password can be limited to. */
export const MAX_ALLOWED_IPS = 10;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The limits chosen at creation; each absent one does not limit. */
export interface Restrictions {
  readonly expiresAt?: Date;
  readonly protocols?: readonly Protocol[];
  /** CIDR ranges, as `address/prefix` in the canonical form `parseRange` (./addresses) writes. */
  readonly allowedIps?: readonly string[];
}

/** When an app password created at `createdAt` for `days` days expires. */
export const expiryAfter = (createdAt: Date, days: number) => new Date(createdAt.getTime() + days * DAY_MS);

/** Whether an app password with `restrictions` has expired at `now`. */
export const isExpired = (restrictions: Restrictions, now: Date) =>
  restrictions.expiresAt !== undefined && restrictions.expiresAt.getTime() <= now.getTime();

/** Whether a login with `protocol` from `clientIp` at `now` is within the app password's restrictions. */
export function restrictionsAllow(
  restrictions: Restrictions,
  login: { readonly clientIp: string; readonly protocol: Protocol; readonly now: Date },
): boolean {
  if (isExpired(restrictions, login.now)) return false;
  if (restrictions.protocols !== undefined && !restrictions.protocols.includes(login.protocol)) return false;
  return restrictions.allowedIps === undefined || addressInRanges(login.clientIp, restrictions.allowedIps);
}

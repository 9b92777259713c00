import { BlockList, isIPv4, isIPv6 } from "node:net";
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
  /** CIDR ranges, as `address/prefix`. */
  readonly allowedIps?: readonly string[];
}

/** When an app password created at `createdAt` for `days` days expires. */
export const expiryAfter = (createdAt: Date, days: number) => new Date(createdAt.getTime() + days * DAY_MS);

/** Whether an app password with `restrictions` has expired at `now`. */
export const isExpired = (restrictions: Restrictions, now: Date) =>
  restrictions.expiresAt !== undefined && restrictions.expiresAt.getTime() <= now.getTime();

/** A CIDR range, or a bare address taken as its own range, as `[network, prefix, family]`; undefined if neither. */
export function parseCidr(value: string): [string, number, "ipv4" | "ipv6"] | undefined {
  const [address = "", prefixText, ...rest] = value.trim().split("/");
  if (rest.length > 0) return undefined;
  const family = isIPv4(address) ? "ipv4" : isIPv6(address) ? "ipv6" : undefined;
  if (family === undefined) return undefined;
  const max = family === "ipv4" ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  return prefix <= max ? [address.toLowerCase(), prefix, family] : undefined;
}

/** An address as `node:net` compares it: an IPv4-mapped IPv6 address as its IPv4 address. */
function plainAddress(address: string): [string, "ipv4" | "ipv6"] | undefined {
  const ip = address.trim().replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return [mapped[1], "ipv4"];
  if (isIPv4(ip)) return [ip, "ipv4"];
  return isIPv6(ip) ? [ip, "ipv6"] : undefined;
}

/** Whether `address` lies in one of `ranges` (CIDR strings as {@link parseCidr} reads them). */
export function addressInRanges(address: string, ranges: readonly string[]): boolean {
  const plain = plainAddress(address);
  if (plain === undefined) return false;
  const list = new BlockList();
  for (const range of ranges) {
    const cidr = parseCidr(range);
    if (cidr !== undefined) list.addSubnet(cidr[0], cidr[1], cidr[2]);
  }
  return list.check(plain[0], plain[1]);
}

/** Whether a login with `protocol` from `clientIp` at `now` is within the app password's restrictions. */
export function restrictionsAllow(
  restrictions: Restrictions,
  login: { readonly clientIp: string; readonly protocol: Protocol; readonly now: Date },
): boolean {
  if (isExpired(restrictions, login.now)) return false;
  if (restrictions.protocols !== undefined && !restrictions.protocols.includes(login.protocol)) return false;
  return restrictions.allowedIps === undefined || addressInRanges(login.clientIp, restrictions.allowedIps);
}

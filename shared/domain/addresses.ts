import ipaddr from "ipaddr.js";
import { BlockList, isIPv4, isIPv6 } from "node:net";

/**
 * Client addresses and address ranges, read one way for throttling and `allowedIps` alike. Node's `isIPv4`
 * and `isIPv6` decide what is an address (strict: no `0x7f.1` or `010.0.0.1`, which ipaddr.js would read);
 * ipaddr.js reads it into numbers, masks ranges and writes the canonical form; Node's `BlockList` matches.
 */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** A range as `BlockList.addSubnet` takes it: `[network, prefix, family]`. */
export type Cidr = [network: string, prefix: number, family: "ipv4" | "ipv6"];

/** A range read for storing: its canonical text (`10.0.0.0/24`), or why it is refused. */
export type RangeParse =
  | { readonly ok: true; readonly network: IpAddress; readonly prefix: number; readonly canonical: string }
  | { readonly ok: false; readonly reason: string };

const NOT_A_RANGE = "must be an IPv4 or IPv6 CIDR range, like 203.0.113.0/24";
const ZONE_ID = "must not have a zone id (%eth0): a range means the same addresses on every interface";
const MAPPED_PREFIX =
  "is an IPv4-mapped range (::ffff:a.b.c.d/n), which needs a prefix of at least 96: give the IPv4 range, like 203.0.113.0/24";
const CONTAINS_MAPPED =
  "must not contain ::ffff:0:0/96, the IPv4-mapped addresses: IPv4 clients are matched as IPv4, so give IPv4 ranges for them (0.0.0.0/0 for all)";
const CONTAINS_COMPATIBLE =
  "must not contain IPv4-compatible addresses (::a.b.c.d, in ::/96): they are matched as IPv4, so give the IPv4 range";

const MAPPED_BLOCK = new ipaddr.IPv6([0, 0, 0, 0, 0, 0xffff, 0, 0]);
const UNSPECIFIED = new ipaddr.IPv6([0, 0, 0, 0, 0, 0, 0, 0]);

/**
 * An IPv6 address's trailing dotted quad as two hex groups. ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d`,
 * so the quad is never left to it: every spelling of an address then reads the same.
 */
const quadAsHex = (text: string) =>
  text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((group) => group.toString(16)).join(":"),
  );

/**
 * The IPv4 address inside an IPv4-mapped (`::ffff:0:0/96`) or IPv4-compatible (`::/96`) IPv6 address;
 * `::` and `::1` (`::/112`) are IPv6's own (unspecified, loopback), not IPv4-compatible.
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = address.parts;
  if (g0 !== 0 || g1 !== 0 || g2 !== 0 || g3 !== 0 || g4 !== 0) return undefined;
  if (g5 !== 0xffff && !(g5 === 0 && g6 !== 0)) return undefined;
  return new ipaddr.IPv4([g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff]);
}

/**
 * A client's address as every rule compares it, or undefined if it is none: brackets stripped, a zone id
 * dropped, and an IPv4-mapped or IPv4-compatible IPv6 address, however spelled, as its IPv4 address.
 */
export function parseAddress(text: string): IpAddress | undefined {
  const address = text.trim().replace(/^\[|\]$/g, "");
  if (isIPv4(address)) return ipaddr.IPv4.parse(address);
  if (!isIPv6(address)) return undefined;
  const v6 = ipaddr.IPv6.parse(quadAsHex(address.split("%")[0] ?? address));
  return embeddedIPv4(v6) ?? v6;
}

const ipv4Range = (address: ipaddr.IPv4, prefix: number): RangeParse => {
  const network = ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return { ok: true, network, prefix, canonical: `${network.toString()}/${prefix}` };
};

/**
 * A CIDR range (a bare address is its own range) with its host bits masked, in canonical form: `10.0.0.5/24`
 * is `10.0.0.0/24`, IPv6 as RFC 5952 writes it (`2001:DB8:0::/32` is `2001:db8::/32`). Since an IPv4-mapped
 * address is compared as its IPv4 address, `::ffff:a.b.c.d/n` is the IPv4 range `a.b.c.d/(n-96)`, and
 * refused below 96; an IPv6 range that contains IPv4-mapped or IPv4-compatible addresses (`::/0`, `::/64`,
 * `::/96`) is refused, as is a zone id: each would not mean what it says.
 */
export function parseRange(text: string): RangeParse {
  const [address = "", prefixText, ...rest] = text.trim().split("/");
  if (address.includes("%")) return { ok: false, reason: ZONE_ID };
  if (rest.length > 0 || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) {
    return { ok: false, reason: NOT_A_RANGE };
  }
  const max = isIPv4(address) ? 32 : isIPv6(address) ? 128 : undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (max === undefined || prefix === undefined || prefix > max) return { ok: false, reason: NOT_A_RANGE };
  if (max === 32) return ipv4Range(ipaddr.IPv4.parse(address), prefix);
  const v6 = ipaddr.IPv6.parse(quadAsHex(address));
  if (v6.isIPv4MappedAddress()) {
    return prefix < 96 ? { ok: false, reason: MAPPED_PREFIX } : ipv4Range(v6.toIPv4Address(), prefix - 96);
  }
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${v6.toString()}/${prefix}`);
  if (prefix <= 96 && MAPPED_BLOCK.match(network, prefix)) return { ok: false, reason: CONTAINS_MAPPED };
  // It overlaps ::/96 and is not within ::/112 (`::`, `::1` and their neighbours, which stay IPv6).
  const [, , , , , , g6] = network.parts;
  if (UNSPECIFIED.match(network, Math.min(prefix, 96)) && !(prefix >= 112 && g6 === 0)) {
    return { ok: false, reason: CONTAINS_COMPATIBLE };
  }
  return { ok: true, network, prefix, canonical: `${network.toRFC5952String()}/${prefix}` };
}

/** A range as {@link parseRange} reads it, in `BlockList.addSubnet`'s terms; undefined if it is refused. */
export function parseCidr(value: string): Cidr | undefined {
  const range = parseRange(value);
  return range.ok ? [range.canonical.split("/")[0] ?? "", range.prefix, range.network.kind()] : undefined;
}

/**
 * Whether `address` (read as {@link parseAddress} reads it) lies in one of `ranges`. A range that
 * {@link parseRange} refuses (one stored before it did, such as `::ffff:203.0.113.7/24`) matches nothing.
 */
export function addressInRanges(address: string, ranges: readonly string[]): boolean {
  const ip = parseAddress(address);
  if (ip === undefined) return false;
  const list = new BlockList();
  for (const range of ranges) {
    const cidr = parseCidr(range);
    if (cidr !== undefined) list.addSubnet(...cidr);
  }
  return list.check(ip.toString(), ip.kind());
}

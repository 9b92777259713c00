import ipaddr from "ipaddr.js";

/**
 * The address the page was used from, as the Functions front end forwards it (`X-Forwarded-For`, first
 * entry, an IPv4 address possibly with `:port`); absent when there is none or it is not an address.
 */
export function pageAddressOf(headers: Headers): string | undefined {
  const first = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  if (!first) return undefined;
  const candidates = [first, first.replace(/^\[(.*)\](?::\d+)?$/, "$1"), first.replace(/^([\d.]+):\d+$/, "$1")];
  const found = candidates.find((value) => ipaddr.isValid(value));
  return found === undefined ? undefined : ipaddr.process(found).toString();
}

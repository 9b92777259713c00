import type { AppPassword } from "./api/client";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** A moment as people read it in their own locale. */
export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));
export const formatDate = (iso: string) => date.format(new Date(iso));

/** A password in groups of four, as it is easiest to read and type: "abcd efgh ijkl mnop". */
export function passwordGroups(password: string): string[] {
  return password.match(/.{1,4}/g) ?? [];
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  imap: "IMAP",
  pop3: "POP3",
  smtp: "SMTP",
  eas: "Exchange ActiveSync",
  dav: "CalDAV/CardDAV",
  other: "Other",
};

/** How a protocol is named on the page. */
export const protocolName = (protocol: string) => PROTOCOL_NAMES[protocol] ?? protocol;

/** "12 Mar 2026, 10:15 from 203.0.113.7 over IMAP", or "Never". */
export function describeLastUsed(item: AppPassword): string {
  if (item.lastUsedAt === undefined) return "Never";
  const where = item.lastUsedIp === undefined ? "" : ` from ${item.lastUsedIp}`;
  const how = item.lastUsedProtocol === undefined ? "" : ` over ${protocolName(item.lastUsedProtocol)}`;
  return `${formatDateTime(item.lastUsedAt)}${where}${how}`;
}

/** Whether the app password has passed its expiry at `now`. */
export const isExpired = (item: AppPassword, now = new Date()) =>
  item.expiresAt !== undefined && new Date(item.expiresAt) <= now;

/** "IMAP, SMTP; from 203.0.113.0/24", or "None". */
export function describeRestrictions(item: AppPassword): string {
  const parts: string[] = [];
  if (item.protocols !== undefined && item.protocols.length > 0) {
    parts.push(item.protocols.map(protocolName).join(", "));
  }
  if (item.allowedIps !== undefined && item.allowedIps.length > 0) parts.push(`from ${item.allowedIps.join(", ")}`);
  return parts.length === 0 ? "None" : parts.join("; ");
}

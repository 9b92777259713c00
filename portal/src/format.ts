import i18next from "i18next";
import type { AppPassword } from "./api/client";
import { currentLanguage } from "./i18n/i18n";

/**
 * The locale `Intl` formats in: the browser's own tag when it is of the page's language (`en-GB`, `nl-BE`, so
 * dates read as people there write them), else the page's language itself.
 */
export function formatLocale(): string {
  const language = currentLanguage();
  const browser = typeof navigator === "undefined" ? [] : navigator.languages;
  return browser.find((tag) => tag.toLowerCase().split("-")[0] === language) ?? language;
}

// Building a format is costly; a page shows many dates, in one language at a time.
const formats = new Map<string, { readonly dateTime: Intl.DateTimeFormat; readonly date: Intl.DateTimeFormat }>();
function formatsFor(locale: string) {
  let found = formats.get(locale);
  if (found === undefined) {
    found = {
      dateTime: new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }),
      date: new Intl.DateTimeFormat(locale, { dateStyle: "medium" }),
    };
    formats.set(locale, found);
  }
  return found;
}

/** A moment as people read it in the page's language. */
export const formatDateTime = (iso: string) => formatsFor(formatLocale()).dateTime.format(new Date(iso));
export const formatDate = (iso: string) => formatsFor(formatLocale()).date.format(new Date(iso));

/** A password in groups of four, as it is easiest to read and type: "abcd efgh ijkl mnop". */
export function passwordGroups(password: string): string[] {
  return password.match(/.{1,4}/g) ?? [];
}

// Protocol names are names, the same in every language; only "other" is a word.
const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  imap: "IMAP",
  pop3: "POP3",
  smtp: "SMTP",
  eas: "Exchange ActiveSync",
  dav: "CalDAV/CardDAV",
};

const t = (key: string, values?: Record<string, string>) => i18next.t(key, { ns: "common", ...values });

/** How a protocol is named on the page. */
export const protocolName = (protocol: string) =>
  PROTOCOL_NAMES[protocol] ?? (protocol === "other" ? t("format.otherProtocol") : protocol);

/** "12 Mar 2026, 10:15 from 203.0.113.7 over IMAP", or "Never", in the page's language. */
export function describeLastUsed(item: AppPassword): string {
  if (item.lastUsedAt === undefined) return t("format.never");
  const when = formatDateTime(item.lastUsedAt);
  const ip = item.lastUsedIp;
  const protocol = item.lastUsedProtocol === undefined ? undefined : protocolName(item.lastUsedProtocol);
  if (ip !== undefined && protocol !== undefined) return t("format.usedFromOver", { when, ip, protocol });
  if (ip !== undefined) return t("format.usedFrom", { when, ip });
  if (protocol !== undefined) return t("format.usedOver", { when, protocol });
  return when;
}

/** Whether the app password has passed its expiry at `now`. */
export const isExpired = (item: AppPassword, now = new Date()) =>
  item.expiresAt !== undefined && new Date(item.expiresAt) <= now;

/** "IMAP, SMTP; from 203.0.113.0/24", or "None", in the page's language. */
export function describeRestrictions(item: AppPassword): string {
  const parts: string[] = [];
  if (item.protocols !== undefined && item.protocols.length > 0) {
    parts.push(item.protocols.map(protocolName).join(", "));
  }
  if (item.allowedIps !== undefined && item.allowedIps.length > 0) {
    parts.push(t("format.onlyFrom", { ranges: item.allowedIps.join(", ") }));
  }
  return parts.length === 0 ? t("format.none") : parts.join("; ");
}

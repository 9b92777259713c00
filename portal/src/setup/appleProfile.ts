import { allows, emailAddressOf, incomingServer } from "./allows.js";
import type { DeviceSetupInput } from "./deviceSetupInput.js";

type PlistValue = string | number | boolean | readonly PlistValue[] | { readonly [key: string]: PlistValue };

/**
 * Which accounts the profile sets up: mail (IMAP or POP3, with SMTP; with calendars and contacts when a
 * CalDAV/CardDAV URL is set and allowed), Exchange ActiveSync, or calendars and contacts alone (`dav`, offered only
 * when there is no mail profile to carry them).
 */
export type AppleProfileKind = "mail" | "eas" | "dav";

/** The kinds of profile this set-up can make: only servers that are configured and that the password allows. */
export function appleProfileKinds(setup: DeviceSetupInput): AppleProfileKind[] {
  const kinds: AppleProfileKind[] = [];
  // Apple requires an outgoing server in a mail payload (OutgoingMailServerHostName).
  if (incomingServer(setup) !== undefined && setup.mail.smtp !== undefined) kinds.push("mail");
  if (setup.mail.activeSyncHost !== undefined && allows(setup, "eas")) kinds.push("eas");
  if (!kinds.includes("mail") && davServer(setup) !== undefined) kinds.push("dav");
  return kinds;
}

/** The CalDAV/CardDAV server from its URL, when it is set and the password allows `dav`. */
function davServer(setup: DeviceSetupInput) {
  if (setup.mail.davUrl === undefined || !allows(setup, "dav")) return undefined;
  const url = new URL(setup.mail.davUrl);
  const ssl = url.protocol === "https:";
  return { url: url.href, host: url.hostname, port: url.port === "" ? (ssl ? 443 : 80) : Number(url.port), ssl };
}

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function plist(value: PlistValue, indent: string): string {
  if (typeof value === "string") return `${indent}<string>${escapeXml(value)}</string>`;
  if (typeof value === "number") return `${indent}<integer>${Math.trunc(value)}</integer>`;
  if (typeof value === "boolean") return `${indent}<${value ? "true" : "false"}/>`;
  const inner = `${indent}\t`;
  if (Array.isArray(value)) {
    return [`${indent}<array>`, ...value.map((item: PlistValue) => plist(item, inner)), `${indent}</array>`].join("\n");
  }
  const entries = Object.entries(value as Record<string, PlistValue>);
  return [
    `${indent}<dict>`,
    ...entries.flatMap(([key, item]) => [`${inner}<key>${escapeXml(key)}</key>`, plist(item, inner)]),
    `${indent}</dict>`,
  ].join("\n");
}

/** A property list document (Apple's XML format) of `value`. */
export function toPlistXml(value: PlistValue): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    plist(value, ""),
    "</plist>",
    "",
  ].join("\n");
}

/** A reverse-DNS identifier part from the tenant's host, so profiles of different organisations do not clash. */
const identifierBase = (host: string) => host.split(".").reverse().join(".").toLowerCase();

/**
 * The payload of the account: `com.apple.mail.managed` (IMAP or POP3 and SMTP) or `com.apple.eas.account`, with
 * only the keys Apple documents for it (developer.apple.com, Device Management, "Mail" and "ExchangeActiveSync").
 */
function accountPayload(
  setup: DeviceSetupInput,
  kind: "mail" | "eas",
  common: ReturnType<typeof commonKeys>,
): PlistValue {
  const email = emailAddressOf(setup.loginName);
  if (kind === "eas") {
    return {
      ...common,
      PayloadType: "com.apple.eas.account",
      ...(email !== undefined && { EmailAddress: email }),
      Host: setup.mail.activeSyncHost ?? "",
      SSL: true,
      UserName: setup.loginName,
      Password: setup.password,
    };
  }
  const incoming = incomingServer(setup);
  const smtp = setup.mail.smtp;
  if (incoming === undefined || smtp === undefined)
    throw new Error("A mail profile needs an incoming and an SMTP server.");
  const sendAllowed = allows(setup, "smtp");
  return {
    ...common,
    PayloadType: "com.apple.mail.managed",
    EmailAccountDescription: setup.appPasswordName,
    EmailAccountType: incoming.protocol === "imap" ? "EmailTypeIMAP" : "EmailTypePOP",
    ...(email !== undefined && { EmailAddress: email }),
    IncomingMailServerAuthentication: "EmailAuthPassword",
    IncomingMailServerHostName: incoming.host,
    IncomingMailServerPortNumber: incoming.port,
    IncomingMailServerUseSSL: incoming.security === "ssl",
    IncomingMailServerUsername: setup.loginName,
    IncomingPassword: setup.password,
    OutgoingMailServerAuthentication: "EmailAuthPassword",
    OutgoingMailServerHostName: smtp.host,
    OutgoingMailServerPortNumber: smtp.port,
    OutgoingMailServerUseSSL: smtp.security === "ssl",
    // The app password does not allow SMTP: the device asks for an outgoing password rather than being given one.
    ...(sendAllowed && { OutgoingMailServerUsername: setup.loginName, OutgoingPassword: setup.password }),
  };
}

/**
 * The calendar and contacts payloads (`com.apple.caldav.account`, `com.apple.carddav.account`) for the one
 * CalDAV/CardDAV URL, with only the keys Apple documents for them ("CalDAV", "CardDAV"); none when it is not set
 * or not allowed.
 */
function davPayloads(setup: DeviceSetupInput, newCommon: (part: string) => ReturnType<typeof commonKeys>) {
  const dav = davServer(setup);
  if (dav === undefined) return [];
  const account = (prefix: "CalDAV" | "CardDAV") => ({
    [`${prefix}AccountDescription`]: setup.appPasswordName,
    [`${prefix}HostName`]: dav.host,
    [`${prefix}Port`]: dav.port,
    [`${prefix}UseSSL`]: dav.ssl,
    [`${prefix}PrincipalURL`]: dav.url,
    [`${prefix}Username`]: setup.loginName,
    [`${prefix}Password`]: setup.password,
  });
  return [
    { ...newCommon("caldav"), PayloadType: "com.apple.caldav.account", ...account("CalDAV") },
    { ...newCommon("carddav"), PayloadType: "com.apple.carddav.account", ...account("CardDAV") },
  ];
}

/** The keys every payload has: the app password's name, and an identifier and UUID of its own. */
const commonKeys = (setup: DeviceSetupInput, base: string, part: string, uuid: string) => ({
  PayloadDisplayName: setup.appPasswordName,
  PayloadIdentifier: `${base}.${part}.${uuid}`,
  PayloadUUID: uuid,
  PayloadVersion: 1,
});

/**
 * An unsigned configuration profile (`.mobileconfig`) that sets up the account on an iPhone, iPad or Mac, built in
 * the browser: the password inside, the app password's name as the account's description. Undefined when this
 * set-up cannot make that kind (see {@link appleProfileKinds}).
 */
export function buildAppleProfile(
  setup: DeviceSetupInput,
  kind: AppleProfileKind,
  newUuid: () => string = () => crypto.randomUUID().toUpperCase(),
): string | undefined {
  if (!appleProfileKinds(setup).includes(kind)) return undefined;
  const host = { mail: incomingServer(setup)?.host, eas: setup.mail.activeSyncHost, dav: davServer(setup)?.host }[kind];
  const base = identifierBase(host ?? "");
  const profileUuid = newUuid();
  const description = setup.mail.accountDescription ?? setup.appPasswordName;
  const newCommon = (part: string) => commonKeys(setup, base, part, newUuid());
  // ActiveSync carries calendars and contacts itself.
  const content = {
    mail: () => [accountPayload(setup, "mail", newCommon("mail")), ...davPayloads(setup, newCommon)],
    eas: () => [accountPayload(setup, "eas", newCommon("eas"))],
    dav: () => davPayloads(setup, newCommon),
  }[kind]();
  return toPlistXml({
    PayloadContent: content,
    PayloadDescription: description,
    PayloadDisplayName: `${description}: ${setup.appPasswordName}`,
    PayloadIdentifier: `${base}.app-password.${profileUuid}`,
    PayloadRemovalDisallowed: false,
    PayloadType: "Configuration",
    PayloadUUID: profileUuid,
    PayloadVersion: 1,
  });
}

/** A file name for the profile, from the app password's name. */
export const appleProfileFileName = (setup: DeviceSetupInput) =>
  `${setup.appPasswordName.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "mail"}.mobileconfig`;

import { allows, emailAddressOf, incomingServer } from "./allows.js";
import type { DeviceSetupInput, MailServer } from "./deviceSetupInput.js";

// Thunderbird's "Export for Mobile" QR code payload, format version 1: feature/migration/qrcode/qr-code-format.md
// in github.com/thunderbird/thunderbird-android. JSON arrays: [FormatVersion, [SequenceNumber, SequenceEnd],
// IncomingServer, OutgoingServerGroups].

const INCOMING_PROTOCOL: Readonly<Record<"imap" | "pop3", number>> = { imap: 0, pop3: 1 };
const SMTP = 0;
/** `ConnectionSecurity`: 2 AlwaysStartTls, 3 Tls. */
const SECURITY: Readonly<Record<MailServer["security"], number>> = { starttls: 2, ssl: 3 };
/** `AuthenticationType` 1: PasswordCleartext (inside the TLS connection). */
const PASSWORD_CLEARTEXT = 1;

export type ThunderbirdPayload = readonly [
  1,
  readonly [number, number],
  readonly (string | number)[],
  readonly (readonly [readonly (string | number)[], readonly [string, string]])[],
];

const server = (protocol: number, { host, port, security }: MailServer, userName: string) =>
  [protocol, host, port, SECURITY[security], PASSWORD_CLEARTEXT, userName] as (string | number)[];

/**
 * The payload of the QR code Thunderbird (Android; desktop's import) scans to set up the account with this
 * password; undefined without an incoming server the password allows, or without an outgoing server (the format
 * needs one). The password goes only to the servers the app password allows.
 */
export function thunderbirdPayload(setup: DeviceSetupInput): ThunderbirdPayload | undefined {
  const incoming = incomingServer(setup);
  const smtp = setup.mail.smtp;
  if (incoming === undefined || smtp === undefined) return undefined;
  const email = emailAddressOf(setup.loginName) ?? setup.loginName;
  const displayName = email.split("@")[0] ?? email;
  return [
    1,
    [1, 1],
    [...server(INCOMING_PROTOCOL[incoming.protocol], incoming, setup.loginName), setup.appPasswordName, setup.password],
    [
      [
        [...server(SMTP, smtp, setup.loginName), ...(allows(setup, "smtp") ? [setup.password] : [])],
        [email, displayName],
      ],
    ],
  ];
}

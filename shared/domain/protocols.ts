/** The kinds of mail and calendar access an app password can be used for, and restricted to. */
export const PROTOCOLS = ["imap", "pop3", "smtp", "eas", "dav", "other"] as const;

export type Protocol = (typeof PROTOCOLS)[number];

/** Names gateways use for their services, by the protocol they speak (Dovecot's service names among them). */
const ALIASES: ReadonlyMap<string, Protocol> = new Map(
  Object.entries({
    imap: "imap",
    imaps: "imap",
    imap4: "imap",
    pop3: "pop3",
    pop3s: "pop3",
    pop: "pop3",
    pops: "pop3",
    smtp: "smtp",
    smtps: "smtp",
    submission: "smtp",
    submissions: "smtp",
    esmtp: "smtp",
    lmtp: "smtp",
    eas: "eas",
    activesync: "eas",
    "exchange-activesync": "eas",
    dav: "dav",
    caldav: "dav",
    carddav: "dav",
    webdav: "dav",
  } satisfies Record<string, Protocol>),
);

/**
 * The protocol a gateway's own name for its service stands for: `imaps` is `imap`, `submission` is `smtp`.
 * A name nobody maps (`sieve`, `managesieve`, a typo) and no name at all are `other`.
 */
export function normalizeProtocol(name: string | undefined): Protocol {
  // A Map, not an object's properties: a gateway's name is data, so `constructor` or `__proto__` is `other`.
  return ALIASES.get(name?.trim().toLowerCase() ?? "") ?? "other";
}

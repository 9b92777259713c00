import type { PROTOCOLS } from "../api/schemaLimits.js";

/** How an app connects to one mail server. */
export interface MailServer {
  readonly host: string;
  readonly port: number;
  /** `ssl`: TLS from the first byte (993, 995, 465); `starttls`: plain, then upgraded (143, 110, 587). */
  readonly security: "ssl" | "starttls";
}

/** The tenant's mail settings, as the page is given them; every part is optional. */
export interface MailSettings {
  readonly imap?: MailServer;
  readonly pop3?: MailServer;
  readonly smtp?: MailServer;
  /** Exchange ActiveSync host name, e.g. `mail.contoso.com`. */
  readonly activeSyncHost?: string;
  /** CalDAV/CardDAV URL, e.g. `https://dav.contoso.com/`. */
  readonly davUrl?: string;
  /** What a device calls the account, e.g. "Contoso mail". */
  readonly accountDescription?: string;
}

/**
 * Everything a device needs to set up one account: what the dialog shows once, what the profile and the
 * Thunderbird QR code carry, and what a hand-off encrypts for the phone.
 */
export interface DeviceSetupInput {
  /** The person's login name, which is the user name on every server. */
  readonly loginName: string;
  /** The app password's name, which names the account on the device. */
  readonly appPasswordName: string;
  readonly password: string;
  /** The protocols the app password allows; absent: all. */
  readonly protocols?: readonly (typeof PROTOCOLS)[number][];
  readonly mail: MailSettings;
}

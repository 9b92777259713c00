import type { DeviceSetupInput, MailSettings } from "./deviceSetupInput.js";

/** Whether the app password may be used with `protocol` (no restriction: every protocol). */
export const allows = (setup: DeviceSetupInput, protocol: "imap" | "pop3" | "smtp" | "eas" | "dav"): boolean =>
  setup.protocols === undefined || setup.protocols.includes(protocol);

/**
 * The tenant's servers this app password may be used with: the settings to show the person. A server for a
 * protocol it does not allow is left out (an IMAP-only password is no use to an SMTP server); the account's
 * description stays.
 */
export function allowedMail(setup: DeviceSetupInput): MailSettings {
  const { imap, pop3, smtp, activeSyncHost, davUrl, accountDescription } = setup.mail;
  return {
    ...(imap !== undefined && allows(setup, "imap") && { imap }),
    ...(pop3 !== undefined && allows(setup, "pop3") && { pop3 }),
    ...(smtp !== undefined && allows(setup, "smtp") && { smtp }),
    ...(activeSyncHost !== undefined && allows(setup, "eas") && { activeSyncHost }),
    ...(davUrl !== undefined && allows(setup, "dav") && { davUrl }),
    ...(accountDescription !== undefined && { accountDescription }),
  };
}

/** The incoming server a mail app should use: IMAP when configured and allowed, else POP3; none: undefined. */
export function incomingServer(setup: DeviceSetupInput) {
  if (setup.mail.imap !== undefined && allows(setup, "imap")) return { protocol: "imap", ...setup.mail.imap } as const;
  if (setup.mail.pop3 !== undefined && allows(setup, "pop3")) return { protocol: "pop3", ...setup.mail.pop3 } as const;
  return undefined;
}

/** The login name as an email address when it is one (a UPN usually is). */
export const emailAddressOf = (loginName: string): string | undefined =>
  /^[^@\s]+@[^@\s]+$/.test(loginName) ? loginName : undefined;

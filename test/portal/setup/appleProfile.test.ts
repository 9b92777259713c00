import * as plist from "plist";
import { describe, expect, it } from "vitest";
import { appleProfileFileName, appleProfileKinds, buildAppleProfile } from "../../../portal/src/setup/appleProfile";
import type { DeviceSetupInput } from "../../../portal/src/setup/deviceSetupInput";

// The keys Apple documents (developer.apple.com/documentation/devicemanagement: TopLevel, CommonPayloadKeys,
// Mail, ExchangeActiveSync; the same lists are in github.com/apple/device-management, mdm/profiles).
const TOP_LEVEL_KEYS = [
  "PayloadContent",
  "PayloadDescription",
  "PayloadDisplayName",
  "PayloadExpirationDate",
  "PayloadIdentifier",
  "PayloadOrganization",
  "PayloadRemovalDisallowed",
  "PayloadScope",
  "PayloadType",
  "PayloadUUID",
  "PayloadVersion",
  "ConsentText",
  "DurationUntilRemoval",
  "HasRemovalPasscode",
  "IsEncrypted",
  "RemovalDate",
  "TargetDeviceType",
];
const COMMON_PAYLOAD_KEYS = [
  "PayloadDescription",
  "PayloadDisplayName",
  "PayloadIdentifier",
  "PayloadOrganization",
  "PayloadType",
  "PayloadUUID",
  "PayloadVersion",
];
const MAIL_KEYS = [
  "EmailAccountDescription",
  "EmailAccountName",
  "EmailAccountType",
  "EmailAddress",
  "IncomingMailServerAuthentication",
  "IncomingMailServerHostName",
  "IncomingMailServerPortNumber",
  "IncomingMailServerUseSSL",
  "IncomingMailServerUsername",
  "IncomingPassword",
  "OutgoingPassword",
  "OutgoingPasswordSameAsIncomingPassword",
  "OutgoingMailServerAuthentication",
  "OutgoingMailServerHostName",
  "OutgoingMailServerPortNumber",
  "OutgoingMailServerUseSSL",
  "OutgoingMailServerUsername",
  "PreventMove",
  "PreventAppSheet",
  "SMIMEEnabled",
  "IncomingMailServerIMAPPathPrefix",
  "allowMailDrop",
  "disableMailRecentsSyncing",
];
const EAS_KEYS = [
  "EmailAddress",
  "Host",
  "SSL",
  "OAuth",
  "UserName",
  "Password",
  "Certificate",
  "CertificateName",
  "CertificatePassword",
  "PreventMove",
  "PreventAppSheet",
  "PayloadCertificateUUID",
  "MailNumberOfPastDaysToSync",
  "EnableMail",
  "EnableContacts",
  "EnableCalendars",
  "EnableReminders",
  "EnableNotes",
];

const setup: DeviceSetupInput = {
  loginName: "alice@contoso.com",
  appPasswordName: "Alice's iPhone <mail & more>",
  password: "abcdabcdabcdabcd",
  mail: {
    imap: { host: "imap.contoso.com", port: 993, security: "ssl" },
    pop3: { host: "pop.contoso.com", port: 995, security: "ssl" },
    smtp: { host: "smtp.contoso.com", port: 587, security: "starttls" },
    activeSyncHost: "eas.contoso.com",
    accountDescription: "Contoso mail",
  },
};

type Dict = Record<string, unknown>;
function parse(xml: string | undefined) {
  expect(xml).toBeDefined();
  const profile = plist.parse(xml!) as Dict;
  const content = profile.PayloadContent as Dict[];
  expect(content).toHaveLength(1);
  return { profile, payload: content[0]! };
}

describe("the Apple configuration profile", () => {
  it("is a property list of a Configuration with one com.apple.mail.managed payload, only documented keys", () => {
    const { profile, payload } = parse(buildAppleProfile(setup, "mail"));
    expect(profile.PayloadType).toBe("Configuration");
    expect(profile.PayloadVersion).toBe(1);
    expect(Object.keys(profile).filter((key) => !TOP_LEVEL_KEYS.includes(key))).toEqual([]);
    expect(
      Object.keys(payload).filter((key) => !MAIL_KEYS.includes(key) && !COMMON_PAYLOAD_KEYS.includes(key)),
    ).toEqual([]);
    expect(payload).toStrictEqual({
      PayloadType: "com.apple.mail.managed",
      PayloadVersion: 1,
      PayloadIdentifier: expect.stringMatching(/^com\.contoso\.imap\.mail\./),
      PayloadUUID: expect.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/),
      PayloadDisplayName: setup.appPasswordName,
      EmailAccountDescription: setup.appPasswordName,
      EmailAccountType: "EmailTypeIMAP",
      EmailAddress: "alice@contoso.com",
      IncomingMailServerAuthentication: "EmailAuthPassword",
      IncomingMailServerHostName: "imap.contoso.com",
      IncomingMailServerPortNumber: 993,
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: "alice@contoso.com",
      IncomingPassword: setup.password,
      OutgoingMailServerAuthentication: "EmailAuthPassword",
      OutgoingMailServerHostName: "smtp.contoso.com",
      OutgoingMailServerPortNumber: 587,
      OutgoingMailServerUseSSL: false,
      OutgoingMailServerUsername: "alice@contoso.com",
      OutgoingPassword: setup.password,
    });
    expect(profile.PayloadUUID).not.toBe(payload.PayloadUUID);
  });

  it("is com.apple.eas.account with the documented keys when ActiveSync is chosen", () => {
    const { payload } = parse(buildAppleProfile(setup, "eas"));
    expect(Object.keys(payload).filter((key) => !EAS_KEYS.includes(key) && !COMMON_PAYLOAD_KEYS.includes(key))).toEqual(
      [],
    );
    expect(payload).toMatchObject({
      PayloadType: "com.apple.eas.account",
      PayloadDisplayName: setup.appPasswordName,
      Host: "eas.contoso.com",
      SSL: true,
      UserName: "alice@contoso.com",
      Password: setup.password,
      EmailAddress: "alice@contoso.com",
    });
  });

  it("offers only what the app password allows", () => {
    expect(appleProfileKinds(setup)).toEqual(["mail", "eas"]);
    expect(appleProfileKinds({ ...setup, protocols: ["eas"] })).toEqual(["eas"]);
    expect(buildAppleProfile({ ...setup, protocols: ["eas"] }, "mail")).toBeUndefined();
    expect(buildAppleProfile({ ...setup, protocols: ["imap", "smtp"] }, "eas")).toBeUndefined();
    expect(appleProfileKinds({ ...setup, mail: { imap: setup.mail.imap! } })).toEqual([]);

    // POP3 only: the POP account type; no SMTP: the device is not given the password for sending.
    const { payload } = parse(buildAppleProfile({ ...setup, protocols: ["pop3"] }, "mail"));
    expect(payload).toMatchObject({ EmailAccountType: "EmailTypePOP", IncomingMailServerHostName: "pop.contoso.com" });
    expect(payload).not.toHaveProperty("OutgoingPassword");
    expect(payload).not.toHaveProperty("OutgoingMailServerUsername");
  });

  it("escapes what the name holds and is named after it", () => {
    const xml = buildAppleProfile(setup, "mail")!;
    expect(xml).toContain("Alice's iPhone &lt;mail &amp; more&gt;");
    expect(appleProfileFileName(setup)).toBe("Alice-s-iPhone-mail-more.mobileconfig");
  });
});

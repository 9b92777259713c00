import * as plist from "plist";
import { describe, expect, it } from "vitest";
import { appleProfileFileName, appleProfileKinds, buildAppleProfile } from "../../../portal/src/setup/appleProfile";
import type { DeviceSetupInput } from "../../../portal/src/setup/deviceSetupInput";

// The keys Apple documents (developer.apple.com/documentation/devicemanagement: TopLevel, CommonPayloadKeys,
// Mail, ExchangeActiveSync, CalDAV, CardDAV; the same lists are in github.com/apple/device-management,
// mdm/profiles).
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
const DAV_KEYS = (prefix: "CalDAV" | "CardDAV") => [
  ...["AccountDescription", "HostName", "Username", "Password", "PrincipalURL", "UseSSL", "Port"].map(
    (key) => `${prefix}${key}`,
  ),
  "VPNUUID",
  ...(prefix === "CardDAV" ? ["CommunicationServiceRules"] : []),
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

  describe("with a CalDAV/CardDAV URL", () => {
    const withDav: DeviceSetupInput = { ...setup, mail: { ...setup.mail, davUrl: "https://dav.contoso.com/dav/" } };
    const contentOf = (xml: string | undefined) => {
      expect(xml).toBeDefined();
      return (plist.parse(xml!) as Dict).PayloadContent as Dict[];
    };
    const expectDav = (payloads: Dict[]) => {
      const [caldav, carddav] = payloads;
      for (const [payload, prefix] of [
        [caldav, "CalDAV"],
        [carddav, "CardDAV"],
      ] as const) {
        expect(
          Object.keys(payload!).filter((key) => !DAV_KEYS(prefix).includes(key) && !COMMON_PAYLOAD_KEYS.includes(key)),
        ).toEqual([]);
        expect(payload).toMatchObject({
          PayloadType: `com.apple.${prefix.toLowerCase()}.account`,
          PayloadDisplayName: setup.appPasswordName,
          [`${prefix}AccountDescription`]: setup.appPasswordName,
          [`${prefix}HostName`]: "dav.contoso.com",
          [`${prefix}Port`]: 443,
          [`${prefix}UseSSL`]: true,
          [`${prefix}PrincipalURL`]: "https://dav.contoso.com/dav/",
          [`${prefix}Username`]: "alice@contoso.com",
          [`${prefix}Password`]: setup.password,
        });
      }
      expect(new Set(payloads.map((payload) => payload.PayloadUUID)).size).toBe(payloads.length);
    };

    it("adds a calendar and a contacts payload to the mail profile, with only their documented keys", () => {
      const content = contentOf(buildAppleProfile(withDav, "mail"));
      expect(content.map((payload) => payload.PayloadType)).toEqual([
        "com.apple.mail.managed",
        "com.apple.caldav.account",
        "com.apple.carddav.account",
      ]);
      expectDav(content.slice(1));
      expect(appleProfileKinds(withDav)).toEqual(["mail", "eas"]);
    });

    it("leaves them out where dav is not allowed, and out of ActiveSync, which carries its own", () => {
      const imapOnly = contentOf(buildAppleProfile({ ...withDav, protocols: ["imap", "smtp"] }, "mail"));
      expect(imapOnly.map((payload) => payload.PayloadType)).toEqual(["com.apple.mail.managed"]);
      expect(contentOf(buildAppleProfile(withDav, "eas")).map((payload) => payload.PayloadType)).toEqual([
        "com.apple.eas.account",
      ]);
    });

    it("offers a calendar and contacts profile alone to a password for dav only", () => {
      const davOnly: DeviceSetupInput = { ...withDav, protocols: ["dav"] };
      expect(appleProfileKinds(davOnly)).toEqual(["dav"]);
      const content = contentOf(buildAppleProfile(davOnly, "dav"));
      expect(content).toHaveLength(2);
      expectDav(content);
      expect(content[0]!.PayloadIdentifier).toMatch(/^com\.contoso\.dav\.caldav\./);
      expect(buildAppleProfile(withDav, "dav")).toBeUndefined();
    });
  });

  it("escapes what the name holds and is named after it", () => {
    const xml = buildAppleProfile(setup, "mail")!;
    expect(xml).toContain("Alice's iPhone &lt;mail &amp; more&gt;");
    expect(appleProfileFileName(setup)).toBe("Alice-s-iPhone-mail-more.mobileconfig");
  });
});

import { describe, expect, it } from "vitest";
import { EXAMPLE_MAIL_ENV, mailSettingNames, mailSettingsFromEnv } from "../../dev/mailSettings";

describe("mailSettingsFromEnv", () => {
  it("is empty when nothing is set, so the page shows the password alone", () => {
    expect(mailSettingsFromEnv({})).toStrictEqual({});
    expect(mailSettingsFromEnv({ MAIL_IMAP_HOST: " " })).toStrictEqual({});
  });

  it("reads each server with the port its security implies when none is given", () => {
    expect(
      mailSettingsFromEnv({
        MAIL_IMAP_HOST: "imap.contoso.com",
        MAIL_SMTP_HOST: "smtp.contoso.com",
        MAIL_SMTP_SECURITY: "starttls",
        MAIL_POP3_HOST: "pop.contoso.com",
        MAIL_POP3_PORT: "1995",
        MAIL_ACTIVESYNC_HOST: "eas.contoso.com",
        MAIL_DAV_URL: "https://dav.contoso.com/",
        MAIL_ACCOUNT_DESCRIPTION: "Contoso mail",
      }),
    ).toStrictEqual({
      imap: { host: "imap.contoso.com", port: 993, security: "ssl" },
      pop3: { host: "pop.contoso.com", port: 1995, security: "ssl" },
      smtp: { host: "smtp.contoso.com", port: 587, security: "starttls" },
      activeSyncHost: "eas.contoso.com",
      davUrl: "https://dav.contoso.com/",
      accountDescription: "Contoso mail",
    });
  });

  it("names every bad setting and what it must be", () => {
    const bad = () =>
      mailSettingsFromEnv({
        MAIL_IMAP_HOST: "https://imap.contoso.com",
        MAIL_SMTP_HOST: "smtp.contoso.com",
        MAIL_SMTP_PORT: "70000",
        MAIL_POP3_SECURITY: "tls",
        MAIL_DAV_URL: "http://dav.contoso.com/",
      });
    for (const problem of [
      /MAIL_IMAP_HOST must be a host name/,
      /MAIL_SMTP_PORT must be 1–65535/,
      /MAIL_POP3_SECURITY must be "ssl" or "starttls"/,
      /MAIL_POP3_SECURITY given without MAIL_POP3_HOST/,
      /MAIL_DAV_URL must be an https URL/,
    ]) {
      expect(bad).toThrow(problem);
    }
  });

  it("has example values for npm start that point at nothing (.invalid) and cover every server setting", () => {
    const examples = mailSettingsFromEnv(EXAMPLE_MAIL_ENV);
    expect(examples.imap?.host).toBe("imap.example.invalid");
    expect(Object.keys(EXAMPLE_MAIL_ENV).every((name) => mailSettingNames.includes(name))).toBe(true);
    for (const host of [examples.imap, examples.pop3, examples.smtp].map((server) => server?.host)) {
      expect(host).toMatch(/\.invalid$/);
    }
  });
});

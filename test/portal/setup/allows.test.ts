import { describe, expect, it } from "vitest";
import { allowedMail, incomingServer } from "../../../portal/src/setup/allows";
import type { DeviceSetupInput } from "../../../portal/src/setup/deviceSetupInput";

const imap = { host: "imap.contoso.com", port: 993, security: "ssl" } as const;
const pop3 = { host: "pop.contoso.com", port: 995, security: "ssl" } as const;
const smtp = { host: "smtp.contoso.com", port: 587, security: "starttls" } as const;
const setup: DeviceSetupInput = {
  loginName: "alice@contoso.com",
  appPasswordName: "Phone",
  password: "abcdabcdabcdabcd",
  mail: {
    imap,
    pop3,
    smtp,
    activeSyncHost: "eas.contoso.com",
    davUrl: "https://dav.contoso.com/",
    accountDescription: "Contoso",
  },
};

describe("the servers an app password may be used with", () => {
  it("are every configured server when it allows every protocol", () => {
    expect(allowedMail(setup)).toEqual(setup.mail);
  });

  it("leave out the servers of protocols it does not allow, keeping the account's description", () => {
    expect(allowedMail({ ...setup, protocols: ["imap"] })).toEqual({ imap, accountDescription: "Contoso" });
    expect(allowedMail({ ...setup, protocols: ["pop3", "smtp"] })).toEqual({
      pop3,
      smtp,
      accountDescription: "Contoso",
    });
    expect(allowedMail({ ...setup, protocols: ["eas", "dav"] })).toEqual({
      activeSyncHost: "eas.contoso.com",
      davUrl: "https://dav.contoso.com/",
      accountDescription: "Contoso",
    });
  });

  it("give IMAP as the incoming server when allowed, else POP3, else none", () => {
    expect(incomingServer(setup)).toEqual({ protocol: "imap", ...imap });
    expect(incomingServer({ ...setup, protocols: ["pop3"] })).toEqual({ protocol: "pop3", ...pop3 });
    expect(incomingServer({ ...setup, protocols: ["smtp"] })).toBeUndefined();
  });
});

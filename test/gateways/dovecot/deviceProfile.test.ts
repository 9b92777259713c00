import { randomUUID } from "node:crypto";
import * as plist from "plist";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAppleProfile } from "../../../portal/src/setup/appleProfile";
import { startTestService, type TestService } from "../../support/testService";
import { curlImap } from "./mailClients";
import { startDovecot, type RunningDovecot } from "./startDovecot";
import { makeTestCertificate, type TestCertificate } from "./testCertificate";

/**
 * The Apple profile the page builds for a new app password sets up an account that works: its own IMAP server,
 * port, user name and password log in to a real Dovecot that checks app passwords with the service.
 */
describe("the device set-up's Apple profile, through Dovecot", () => {
  let service: TestService;
  let certificate: TestCertificate;
  let dovecot: RunningDovecot;
  const loginName = `anna-${randomUUID().slice(0, 8)}@contoso.com`;

  beforeAll(async () => {
    service = await startTestService();
    certificate = await makeTestCertificate();
    dovecot = await startDovecot({
      verifyUrl: `${service.url}/api/verify`,
      functionKey: service.functionKey,
      certificate,
    });
  });
  afterAll(async () => {
    await dovecot.stop();
    await service.close();
    await certificate.remove();
  });

  it("logs in with the profile's IMAP server, user name and password", async () => {
    const token = await service.token({ upn: loginName, oid: randomUUID() });
    expect((await service.call("POST", "/api/users/me/registration", { token })).status).toBe(201);
    const created = await service.call("POST", "/api/users/me/app-passwords", {
      token,
      body: { name: "Anna's iPhone", protocols: ["imap", "smtp"] },
    });
    expect(created.status).toBe(201);
    const appPassword = created.json as { name: string; password: string; protocols?: ("imap" | "smtp")[] };

    const xml = buildAppleProfile(
      {
        loginName,
        appPasswordName: appPassword.name,
        password: appPassword.password,
        ...(appPassword.protocols !== undefined && { protocols: appPassword.protocols }),
        mail: {
          imap: { host: "localhost", port: dovecot.imapsPort, security: "ssl" },
          smtp: { host: "localhost", port: dovecot.submissionPort, security: "starttls" },
        },
      },
      "mail",
    );
    const profile = plist.parse(xml ?? "") as { PayloadContent: Record<string, unknown>[] };
    const payload = profile.PayloadContent[0]!;
    expect(payload.IncomingMailServerUseSSL).toBe(true);
    expect(payload.IncomingMailServerHostName).toBe("localhost"); // what curlImap connects to
    const answer = await curlImap(
      payload.IncomingMailServerPortNumber as number,
      payload.IncomingMailServerUsername as string,
      payload.IncomingPassword as string,
      certificate.caFile,
    );
    expect(answer.answer).toMatch(/^OK /);
    await dovecot.waitForLog(new RegExp(`imap-login: Info: Login: user=<${loginName.replace(/[.]/g, "\\.")}>`));

    // A wrong password in the same place does not.
    const wrong = await curlImap(dovecot.imapsPort, loginName, "aaaaaaaaaaaaaaaa", certificate.caFile);
    expect(wrong.answer).toMatch(/^NO /);
  });
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ROLES } from "../../support/constants";
import { startTestService, type TestService } from "../../support/testService";
import { curlImap } from "./mailClients";
import { startDovecot, type RunningDovecot } from "./startDovecot";
import { makeTestCertificate, type TestCertificate } from "./testCertificate";

/**
 * After an administrator releases a login name (`DELETE /api/login-names/{name}`) and another account claims
 * it, the former holder's app passwords never open the mailbox of that name through a real Dovecot: not by
 * the name, not by the former holder's object id; the new owner's do, into that mailbox.
 */
describe("a released login name, through Dovecot", () => {
  let service: TestService;
  let certificate: TestCertificate;
  let dovecot: RunningDovecot;
  const name = "grace@contoso.com";
  const formerId = randomUUID();
  const newId = randomUUID();

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

  const imap = (user: string, password: string) => curlImap(dovecot.imapsPort, user, password, certificate.caFile);
  const logins = async () => (await dovecot.log()).split("\n").filter((line) => /imap-login: Info: Login: /.test(line));

  async function register(oid: string): Promise<string> {
    const registered = await service.call("POST", "/api/users/me/registration", {
      token: await service.token({ upn: name, oid }),
    });
    expect(registered.status).toBe(201);
    return registered.json.appPassword.password as string;
  }

  it("refuses the former holder by the name and by object id, and lets the new owner into that mailbox", async () => {
    const formerPassword = await register(formerId);
    expect((await imap(name, formerPassword)).answer).toMatch(/^OK /);
    expect((await imap(formerId, formerPassword)).answer).toMatch(/^OK /);
    await dovecot.waitForLog(/imap-login: Info: Login: user=<grace@contoso\.com>/);

    const admin = await service.token({ upn: "admin@contoso.com", oid: randomUUID(), roles: ADMIN_ROLES });
    const released = await service.call("DELETE", `/api/login-names/${encodeURIComponent(name)}`, { token: admin });
    expect(released.status).toBe(204);
    const newPassword = await register(newId);

    const before = (await logins()).length;
    expect(await imap(name, formerPassword)).toMatchObject({
      answer: expect.stringMatching(/^NO \[AUTHENTICATIONFAILED\]/),
    });
    expect(await imap(formerId, formerPassword)).toMatchObject({
      answer: expect.stringMatching(/^NO \[AUTHENTICATIONFAILED\]/),
    });
    expect(await imap(formerId.toUpperCase(), formerPassword)).toMatchObject({
      answer: expect.stringMatching(/^NO \[AUTHENTICATIONFAILED\]/),
    });
    expect((await logins()).length).toBe(before);

    expect((await imap(name, newPassword)).answer).toMatch(/^OK /);
    expect((await imap(newId, newPassword)).answer).toMatch(/^OK /);
    await dovecot.waitForLog(
      new RegExp(`lua\\(${newId},127\\.0\\.0\\.1,.*app password accepted: user=grace@contoso\\.com `),
    );
    // imap-login writes its line a moment after the answer.
    let after = await logins();
    for (let attempt = 0; after.length < before + 2 && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await logins();
    }
    expect(after.slice(before)).toHaveLength(2);
    for (const line of after.slice(before)) expect(line).toMatch(/Login: user=<grace@contoso\.com>, method=PLAIN/);
  });
});

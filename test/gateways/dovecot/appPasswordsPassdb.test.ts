import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countedWrongPasswords } from "../../support/countedWrongPasswords";
import { startTestService, type TestService } from "../../support/testService";
import { imapLogin, smtpAuthPlain } from "./mailClients";
import { startDovecot, type RunningDovecot } from "./startDovecot";
import { startTlsProxy } from "./startTlsProxy";
import { makeTestCertificate, type TestCertificate } from "./testCertificate";

/** "abcdefghijklmnop" → "abcd efgh ijkl mnop", as a person types it from the page. */
const inGroups = (password: string) => password.replace(/(.{4})(?!$)/g, "$1 ");

const loggedIn = /^a\d+ OK /;
const authenticationFailed = /^a\d+ NO \[AUTHENTICATIONFAILED\]/;
const unavailable = /^a\d+ NO \[UNAVAILABLE\]/;

/**
 * The shipped Lua passdb in a real Dovecot (Debian's packages), checking IMAP and submission logins against the
 * service through the local host, as a mail server in front of it would.
 */
describe("Dovecot with the app passwords passdb", () => {
  let service: TestService;
  let dovecot: RunningDovecot;
  let aliceToken: string;
  let password: string;
  let certificate: TestCertificate;
  const aliceId = randomUUID();
  const login = "Alice.Smith@Contoso.com";

  beforeAll(async () => {
    service = await startTestService();
    certificate = await makeTestCertificate();
    dovecot = await startDovecot({
      verifyUrl: `${service.url}/api/verify`,
      functionKey: service.functionKey,
      certificate,
    });
    aliceToken = await service.token({ upn: login, oid: aliceId });
    const registered = await service.call("POST", "/api/users/me/registration", { token: aliceToken });
    expect(registered.status).toBe(201);
    password = registered.json.appPassword.password as string;
  });
  afterAll(async () => {
    await dovecot.stop();
    await service.close();
    await certificate.remove();
  });

  describe("IMAP", () => {
    it("logs in and selects INBOX with the app password typed in groups and the login name in mixed case", async () => {
      const result = await imapLogin(dovecot.imapPort, "aLICE.smith@CONTOSO.com", inGroups(password));
      expect(result.login).toMatch(loggedIn);
      expect(result.select).toMatch(/^a\d+ OK \[READ-WRITE\]/);
      await dovecot.waitForLog(/Login: user=<alice\.smith@contoso\.com>, method=PLAIN, rip=127\.0\.0\.1/);
      // The guide's userdb: a maildir per login name under /var/vmail, not Debian's mbox in /var/mail.
      expect(existsSync(path.join(dovecot.vmailDir, "contoso.com", "alice.smith", "Maildir", "cur"))).toBe(true);
    });

    it("logs one line per success naming the user, and never the password or the function key", async () => {
      const line = await dovecot.waitForLog(/app password accepted: user=alice\.smith@contoso\.com app_password_id=/);
      expect(line).toContain(",127.0.0.1,");
      const log = await dovecot.log();
      expect(log).not.toContain(password);
      expect(log).not.toContain(inGroups(password));
      expect(log).not.toContain(service.functionKey);
    });

    it("maps a login by object id to the mailbox of the login name verify answers (else the id itself)", async () => {
      const answer = await service.verify(aliceId, password, { clientIp: "127.0.0.1", protocol: "imap" });
      expect(answer.json.valid).toBe(true);
      const mailbox = typeof answer.json.loginName === "string" ? (answer.json.loginName as string) : aliceId;
      const result = await imapLogin(dovecot.imapPort, aliceId.toUpperCase(), password);
      expect(result.login).toMatch(loggedIn);
      await dovecot.waitForLog(new RegExp(`Login: user=<${mailbox.toLowerCase().replace(/\./g, "\\.")}>`));
    });

    it("answers NO [AUTHENTICATIONFAILED] to a wrong password", async () => {
      const result = await imapLogin(dovecot.imapPort, login, "abcd efgh ijkl mnop");
      expect(result.login).toMatch(authenticationFailed);
      // Logged because the snippet sets auth_verbose (Debian leaves it off).
      await dovecot.waitForLog(
        /auth-worker\(\d+\): Info: .*lua\(alice\.smith@contoso\.com,127\.0\.0\.1,.*Password mismatch/,
      );
    });
  });

  describe("SMTP AUTH on submission", () => {
    it("accepts the app password with 235", async () => {
      expect(await smtpAuthPlain(dovecot.submissionPort, login, inGroups(password))).toMatch(/^235 /);
    });

    it("refuses a wrong password with 535", async () => {
      expect(await smtpAuthPlain(dovecot.submissionPort, login, "abcdefghijklmnoq")).toMatch(/^535 /);
    });
  });

  it("refuses a deleted app password at once, over IMAP and SMTP (no auth cache)", async () => {
    const created = await service.call("POST", "/api/users/me/app-passwords", {
      token: aliceToken,
      body: { name: "Alice's phone" },
    });
    expect(created.status).toBe(201);
    const phone = created.json.password as string;
    expect((await imapLogin(dovecot.imapPort, login, phone)).login).toMatch(loggedIn);
    expect(await smtpAuthPlain(dovecot.submissionPort, login, phone)).toMatch(/^235 /);

    const deleted = await service.call("DELETE", `/api/users/me/app-passwords/${created.json.id}`, {
      token: aliceToken,
    });
    expect(deleted.status).toBe(204);
    expect((await imapLogin(dovecot.imapPort, login, phone)).login).toMatch(authenticationFailed);
    expect(await smtpAuthPlain(dovecot.submissionPort, login, phone)).toMatch(/^535 /);
  });

  it("sends verify the client's address from a trusted proxy: wrong passwords lock out that address only", async () => {
    const attacker = "192.0.2.10";
    const nextWrong = countedWrongPasswords(service, aliceId);
    for (let i = 0; i < 10; i++) {
      const result = await imapLogin(dovecot.imapPort, login, await nextWrong(), { originatingIp: attacker });
      expect(result.login).toMatch(authenticationFailed);
    }
    // Verify now answers 429 for that address, even with the right password: "try later", not "wrong".
    const throttled = await imapLogin(dovecot.imapPort, login, password, { originatingIp: attacker });
    expect(throttled.login).toMatch(unavailable);
    await dovecot.waitForLog(/,192\.0\.2\.10,.*app-passwords: throttled \(HTTP 429, Retry-After \d+\)/);

    const neighbour = await imapLogin(dovecot.imapPort, login, password, { originatingIp: "192.0.2.11" });
    expect(neighbour.login).toMatch(loggedIn);
    await dovecot.waitForLog(/Login: user=<alice\.smith@contoso\.com>, method=PLAIN, rip=192\.0\.2\.11/);
  });

  it("treats a wrong function key as an outage (UNAVAILABLE, SMTP 454), never as a wrong password", async () => {
    const misconfigured = await startDovecot({
      verifyUrl: `${service.url}/api/verify`,
      functionKey: "not-the-key",
      certificate,
    });
    try {
      expect((await imapLogin(misconfigured.imapPort, login, password)).login).toMatch(unavailable);
      expect(await smtpAuthPlain(misconfigured.submissionPort, login, password)).toMatch(/^454 /);
      await misconfigured.waitForLog(/app-passwords: unexpected answer HTTP 401 \(code INVALID_FUNCTION_KEY\)/);
    } finally {
      await misconfigured.stop();
    }
  });

  it("calls an https service by name, trusting its certificate through ssl_client_ca_file, and only then", async () => {
    const proxy = await startTlsProxy(service.url);
    const verifyUrl = `${proxy.url}/api/verify`;
    const trusting = await startDovecot({
      verifyUrl,
      functionKey: service.functionKey,
      sslClientCaFile: proxy.caFile,
      certificate,
    });
    const distrusting = await startDovecot({ verifyUrl, functionKey: service.functionKey, certificate });
    try {
      expect((await imapLogin(trusting.imapPort, login, password)).login).toMatch(loggedIn);
      expect(await smtpAuthPlain(trusting.submissionPort, login, password)).toMatch(/^235 /);
      expect((await imapLogin(distrusting.imapPort, login, password)).login).toMatch(unavailable);
      await distrusting.waitForLog(/app-passwords: no answer from https:\/\/localhost:\d+\/api\/verify: SSL/);
    } finally {
      await Promise.all([trusting.stop(), distrusting.stop()]);
      await proxy.stop();
    }
  });

  // Last: it stops the service.
  it("answers NO [UNAVAILABLE] and SMTP 454 while the service cannot be reached, never a wrong password", async () => {
    await service.close();
    expect((await imapLogin(dovecot.imapPort, login, password)).login).toMatch(unavailable);
    expect((await imapLogin(dovecot.imapPort, login, "abcd efgh ijkl mnop")).login).toMatch(unavailable);
    expect(await smtpAuthPlain(dovecot.submissionPort, login, password)).toMatch(/^454 /);
    await dovecot.waitForLog(/app-passwords: no answer from http:\/\/127\.0\.0\.1:\d+\/api\/verify: connect/);
  });
});

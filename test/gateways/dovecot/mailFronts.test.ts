import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countedWrongPasswords } from "../../support/countedWrongPasswords";
import { startTestService, type TestService } from "../../support/testService";
import { curlImap, msmtpSend, swaksAuth, type ClientOutcome } from "./mailClients";
import { startDovecot, type RunningDovecot } from "./startDovecot";
import { postfixUnavailable, preparePostfix, type PreparedPostfix } from "./startPostfix";
import { makeTestCertificate, type TestCertificate } from "./testCertificate";

/** curl's exit code when the server refuses the login (CURLE_LOGIN_DENIED), whatever the reason. */
const CURL_LOGIN_DENIED = 67;
/**
 * msmtp's exit code when the server refuses AUTH (EX_NOPERM), whatever the reason: it tells 535 from 454 only
 * in the server message it prints.
 */
const MSMTP_REFUSED = 77;

const fail = postfixUnavailable();
if (fail !== undefined) throw new Error(`the gateway test drives a real Postfix: ${fail}`);

/**
 * Every mail front the guide sets up, driven by real clients (curl's IMAP, swaks, msmtp) through a Dovecot
 * built from Debian's stock configuration and the guide's steps, and a real Postfix (its own folder) asking
 * that Dovecot over SASL: what each answers when the service accepts, refuses, locks out, or is gone.
 */
describe("mail fronts with real clients: Dovecot IMAP and submission, Postfix through Dovecot SASL", () => {
  let service: TestService;
  let certificate: TestCertificate;
  let postfix: PreparedPostfix;
  let dovecot: RunningDovecot;
  const login = "carol@contoso.com";
  const carolId = randomUUID();
  let carolToken: string;
  let password: string;

  /** Each front, as a person's devices use it: fetching over IMAPS, sending through either SMTP front. */
  const fronts = () => ({
    imap: (user: string, secret: string) => curlImap(dovecot.imapsPort, user, secret, certificate.caFile),
    submission: (user: string, secret: string) => swaksAuth(dovecot.submissionPort, user, secret, certificate.caFile),
    postfix: (user: string, secret: string) => swaksAuth(postfix.port, user, secret, certificate.caFile),
    msmtpSubmission: (user: string, secret: string) =>
      msmtpSend(dovecot.submissionPort, user, secret, certificate.caFile),
    msmtpPostfix: (user: string, secret: string) => msmtpSend(postfix.port, user, secret, certificate.caFile),
  });
  type Front = keyof ReturnType<typeof fronts>;
  const allFronts = async (user: string, secret: string) => {
    const answers = {} as Record<Front, ClientOutcome>;
    for (const [name, front] of Object.entries(fronts()) as [
      Front,
      (u: string, p: string) => Promise<ClientOutcome>,
    ][]) {
      answers[name] = await front(user, secret);
    }
    return answers;
  };

  beforeAll(async () => {
    service = await startTestService();
    certificate = await makeTestCertificate();
    postfix = await preparePostfix(certificate);
    dovecot = await startDovecot({
      verifyUrl: `${service.url}/api/verify`,
      functionKey: service.functionKey,
      certificate,
      postfixQueueDir: postfix.queueDir,
      submissionRelayPort: postfix.port,
    });
    await postfix.start();
    carolToken = await service.token({ upn: login, oid: carolId });
    const registered = await service.call("POST", "/api/users/me/registration", { token: carolToken });
    expect(registered.status).toBe(201);
    password = registered.json.appPassword.password as string;
  });
  afterAll(async () => {
    await dovecot.stop();
    await postfix.stop();
    await service.close();
    await certificate.remove();
  });

  it("accepts the right app password on every front, and mail sent through either SMTP front is accepted", async () => {
    const answers = await allFronts(login, password);
    expect(answers.imap).toMatchObject({ exitCode: 0, answer: expect.stringMatching(/^OK /) });
    expect(answers.submission).toMatchObject({ exitCode: 0, answer: expect.stringMatching(/^235 2\.7\.0 /) });
    expect(answers.postfix).toMatchObject({ exitCode: 0, answer: expect.stringMatching(/^235 2\.7\.0 /) });
    expect(answers.msmtpSubmission).toEqual({ exitCode: 0, answer: "sent" });
    expect(answers.msmtpPostfix).toEqual({ exitCode: 0, answer: "sent" });
    // Postfix asked Dovecot, which asked the service: verify saw Postfix's protocol.
    await dovecot.waitForLog(/lua\(carol@contoso\.com,127\.0\.0\.1,.*app password accepted/);
    expect(await postfix.log()).toMatch(/sasl_method=PLAIN, sasl_username=carol@contoso\.com/);
  });

  it("refuses a wrong app password as wrong on every front", async () => {
    const answers = await allFronts(login, "abcdefghijklmnop");
    expect(answers.imap).toMatchObject({
      exitCode: CURL_LOGIN_DENIED,
      answer: expect.stringMatching(/^NO \[AUTHENTICATIONFAILED\]/),
    });
    expect(answers.submission.answer).toMatch(/^535 5\.7\.8 /);
    expect(answers.postfix.answer).toMatch(/^535 5\.7\.8 /);
    expect(answers.msmtpSubmission).toMatchObject({ exitCode: MSMTP_REFUSED, answer: expect.stringMatching(/^535 /) });
    expect(answers.msmtpPostfix).toMatchObject({ exitCode: MSMTP_REFUSED, answer: expect.stringMatching(/^535 /) });
  });

  it("refuses a deleted app password at once on every front", async () => {
    const created = await service.call("POST", "/api/users/me/app-passwords", {
      token: carolToken,
      body: { name: "Carol's laptop" },
    });
    expect(created.status).toBe(201);
    const laptop = created.json.password as string;
    expect((await fronts().imap(login, laptop)).exitCode).toBe(0);
    expect((await fronts().postfix(login, laptop)).answer).toMatch(/^235 /);

    const deleted = await service.call("DELETE", `/api/users/me/app-passwords/${created.json.id}`, {
      token: carolToken,
    });
    expect(deleted.status).toBe(204);
    const answers = await allFronts(login, laptop);
    expect(answers.imap.answer).toMatch(/^NO \[AUTHENTICATIONFAILED\]/);
    expect(answers.submission.answer).toMatch(/^535 /);
    expect(answers.postfix.answer).toMatch(/^535 /);
    expect(answers.msmtpSubmission.exitCode).toBe(MSMTP_REFUSED);
    expect(answers.msmtpPostfix.exitCode).toBe(MSMTP_REFUSED);
  });

  it("answers a lockout as 'try later' on the Dovecot fronts, even for the right password; Postfix with 535", async () => {
    const daveId = randomUUID();
    const dave = "dave@contoso.com";
    const registered = await service.call("POST", "/api/users/me/registration", {
      token: await service.token({ upn: dave, oid: daveId }),
    });
    expect(registered.status).toBe(201);
    const davePassword = registered.json.appPassword.password as string;
    const nextWrong = countedWrongPasswords(service, daveId);
    for (let i = 0; i < 10; i++) expect((await fronts().postfix(dave, await nextWrong())).answer).toMatch(/^535 /);

    const answers = await allFronts(dave, davePassword);
    expect(answers.imap).toMatchObject({
      exitCode: CURL_LOGIN_DENIED,
      answer: expect.stringMatching(/^NO \[UNAVAILABLE\]/),
    });
    expect(answers.submission.answer).toMatch(/^454 4\.7\.0 /);
    expect(answers.msmtpSubmission).toMatchObject({ exitCode: MSMTP_REFUSED, answer: expect.stringMatching(/^454 /) });
    // Postfix turns every Dovecot FAIL into 535, the "temporary" flag too: the phone asks for its password.
    expect(answers.postfix.answer).toBe("535 5.7.8 Error: authentication failed: (reason unavailable)");
    expect(answers.msmtpPostfix).toMatchObject({ exitCode: MSMTP_REFUSED, answer: expect.stringMatching(/^535 /) });
    await dovecot.waitForLog(/lua\(dave@contoso\.com,127\.0\.0\.1,.*app-passwords: throttled \(HTTP 429/);
  });

  // Last: it stops the service.
  it("answers an outage as 'try later' on the Dovecot fronts, Postfix with 535 (454 only with Dovecot down)", async () => {
    await service.close();
    for (const secret of [password, "abcdefghijklmnop"]) {
      const answers = await allFronts(login, secret);
      expect(answers.imap.answer).toMatch(/^NO \[UNAVAILABLE\]/);
      expect(answers.submission.answer).toMatch(/^454 4\.7\.0 /);
      expect(answers.msmtpSubmission).toMatchObject({
        exitCode: MSMTP_REFUSED,
        answer: expect.stringMatching(/^454 /),
      });
      expect(answers.postfix.answer).toBe("535 5.7.8 Error: authentication failed: (reason unavailable)");
      expect(answers.msmtpPostfix).toMatchObject({ exitCode: MSMTP_REFUSED, answer: expect.stringMatching(/^535 /) });
    }
    await dovecot.waitForLog(/app-passwords: no answer from http:\/\/127\.0\.0\.1:\d+\/api\/verify: connect/);
    // Only when Dovecot's auth service itself cannot be reached does Postfix say "try later".
    await dovecot.stop();
    expect((await fronts().postfix(login, password)).answer).toMatch(
      /^454 4\.7\.0 Temporary authentication failure: (Connection lost to|Can't connect to) authentication server$/,
    );
  });
});

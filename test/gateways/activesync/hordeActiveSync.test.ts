import { randomUUID } from "node:crypto";
import { freePort } from "../../../dev/azurite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countedWrongPasswords } from "../../support/countedWrongPasswords";
import { startTestService, type TestService } from "../../support/testService";
import { imapLogin } from "../dovecot/mailClients";
import { startDovecot, type RunningDovecot } from "../dovecot/startDovecot";
import { makeTestCertificate, type TestCertificate } from "../dovecot/testCertificate";
import { easRequest, startHorde, type RunningHorde } from "./startHorde";

const loggedIn = /^a\d+ OK /;
const authenticationFailed = /^a\d+ NO \[AUTHENTICATIONFAILED\]/;

/**
 * The ActiveSync recipe (`gateways/activesync/`): Horde's ActiveSync server logging in to Dovecot's EAS-only
 * IMAP listener, Dovecot built as the Dovecot guide and the ActiveSync guide say, and the service behind it.
 * A phone's first requests (OPTIONS, a FolderSync with SyncKey 0) are answered as the README's table says.
 */
describe("Horde ActiveSync through the Dovecot passdb", () => {
  let service: TestService;
  let certificate: TestCertificate;
  let dovecot: RunningDovecot;
  let horde: RunningHorde;
  const login = "frank@contoso.com";
  const frankId = randomUUID();
  let token: string;

  beforeAll(async () => {
    service = await startTestService();
    certificate = await makeTestCertificate();
    dovecot = await startDovecot({
      verifyUrl: `${service.url}/api/verify`,
      functionKey: service.functionKey,
      certificate,
      activeSync: true,
    });
    horde = await startHorde(dovecot.easPort);
    token = await service.token({ upn: login, oid: frankId });
    expect((await service.call("POST", "/api/users/me/registration", { token })).status).toBe(201);
  });
  afterAll(async () => {
    await horde.stop();
    await dovecot.stop();
    await service.close();
    await certificate.remove();
  });

  async function create(body: Record<string, unknown>): Promise<{ id: string; password: string }> {
    const created = await service.call("POST", "/api/users/me/app-passwords", { token, body });
    expect(created.status).toBe(201);
    return { id: created.json.id as string, password: created.json.password as string };
  }

  it("answers OPTIONS and a FolderSync with the right password, 401 with a wrong one", async () => {
    const { password } = await create({ name: "phone" });
    const options = await easRequest(horde.url, "Options", login, password);
    expect(options.status, horde.output()).toBe(200);
    expect(options.headers.get("ms-asprotocolversions")).toMatch(/14\.1/);
    const folders = await easRequest(horde.url, "FolderSync", login, password);
    expect(folders.status, horde.output()).toBe(200);
    expect(folders.body.subarray(0, 4)).toEqual(Buffer.from([0x03, 0x01, 0x6a, 0x00]));
    expect(folders.body.includes("INBOX")).toBe(true);

    const wrong = `${password.slice(0, -1)}${password.endsWith("a") ? "b" : "a"}`;
    expect((await easRequest(horde.url, "Options", login, wrong)).status).toBe(401);
    const mismatches = async () =>
      (await dovecot.log()).split("\n").filter((line) => /lua\(frank@contoso\.com,.*Password mismatch/.test(line));
    const before = (await mismatches()).length;
    const refused = await easRequest(horde.url, "FolderSync", login, wrong);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Basic /);
    // One verify call per request: Horde's client would retry the refused login with a second mechanism.
    expect((await easRequest(horde.url, "FolderSync", login, wrong)).status).toBe(401);
    await expect.poll(async () => (await mismatches()).length).toBeGreaterThanOrEqual(before + 2);
    expect((await mismatches()).length, (await mismatches()).join("\n")).toBe(before + 2);
  });

  it("answers 401 at once after the app password is deleted", async () => {
    const { id, password } = await create({ name: "old phone" });
    expect((await easRequest(horde.url, "FolderSync", login, password)).status).toBe(200);
    expect((await service.call("DELETE", `/api/users/me/app-passwords/${id}`, { token })).status).toBe(204);
    expect((await easRequest(horde.url, "FolderSync", login, password)).status).toBe(401);
    expect((await easRequest(horde.url, "Options", login, password)).status).toBe(401);
  });

  it("reaches the service as eas: an eas-only app password works here and not over IMAP", async () => {
    const easOnly = await create({ name: "iPhone mail", protocols: ["eas"] });
    expect((await easRequest(horde.url, "FolderSync", login, easOnly.password)).status).toBe(200);
    expect((await imapLogin(dovecot.imapPort, login, easOnly.password)).login).toMatch(authenticationFailed);

    const imapOnly = await create({ name: "laptop mail", protocols: ["imap"] });
    expect((await imapLogin(dovecot.imapPort, login, imapOnly.password)).login).toMatch(loggedIn);
    expect((await easRequest(horde.url, "FolderSync", login, imapOnly.password)).status).toBe(401);
  });

  it("reaches the service with the phone's address, from the trusted proxy's X-Forwarded-For", async () => {
    const office = await create({ name: "office phone", allowedIps: ["192.0.2.50/32"] });
    const from = (address: string) => ({ forwardedFor: `198.51.100.7, ${address}` });
    expect((await easRequest(horde.url, "FolderSync", login, office.password, from("192.0.2.50"))).status).toBe(200);
    expect((await easRequest(horde.url, "FolderSync", login, office.password, from("192.0.2.51"))).status).toBe(401);
    // Without a forwarded address the login comes from Horde's own, which the password does not allow.
    expect((await easRequest(horde.url, "FolderSync", login, office.password)).status).toBe(401);
    await dovecot.waitForLog(/lua\(frank@contoso\.com,192\.0\.2\.50,.*app password accepted/);
  });

  it("answers a lockout of the phone's address with 503 and Retry-After, even for the right password", async () => {
    const { password } = await create({ name: "locked phone" });
    const from = { forwardedFor: "192.0.2.60" };
    // Ten wrong passwords that the service counts (distinct ones; a repeated one counts once).
    const nextWrong = countedWrongPasswords(service, frankId);
    for (let i = 0; i < 10; i++) {
      expect((await easRequest(horde.url, "FolderSync", login, await nextWrong(), from)).status).toBe(401);
    }
    const locked = await easRequest(horde.url, "FolderSync", login, password, from);
    expect(locked.status).toBe(503);
    expect(locked.headers.get("retry-after")).toBe("60");
    await dovecot.waitForLog(/lua\(frank@contoso\.com,192\.0\.2\.60,.*app-passwords: throttled \(HTTP 429/);
    // Only that address is locked out.
    expect((await easRequest(horde.url, "FolderSync", login, password, { forwardedFor: "192.0.2.61" })).status).toBe(
      200,
    );
  });
});

/** An outage: the service cannot be reached. The phone is told to try later, never to re-enter its password. */
describe("Horde ActiveSync during an outage", () => {
  let service: TestService;
  let dovecot: RunningDovecot;
  let horde: RunningHorde;
  let certificate: TestCertificate;

  beforeAll(async () => {
    service = await startTestService();
    certificate = await makeTestCertificate();
    dovecot = await startDovecot({
      // Nothing listens there: every verify call is refused.
      verifyUrl: `http://127.0.0.1:${await freePort()}/api/verify`,
      functionKey: service.functionKey,
      certificate,
      timeoutMs: 1000,
      activeSync: true,
    });
    horde = await startHorde(dovecot.easPort);
  });
  afterAll(async () => {
    await horde.stop();
    await dovecot.stop();
    await service.close();
    await certificate.remove();
  });

  it("answers 503 with Retry-After, not 401", async () => {
    for (const command of ["Options", "FolderSync"] as const) {
      const answer = await easRequest(horde.url, command, "frank@contoso.com", "abcd efgh ijkl mnop");
      expect(answer.status, horde.output()).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("60");
      expect(answer.headers.get("www-authenticate")).toBeNull();
    }
  });

  it("answers 503 when Dovecot itself cannot be reached", async () => {
    await dovecot.stop();
    expect((await easRequest(horde.url, "FolderSync", "frank@contoso.com", "abcd efgh ijkl mnop")).status).toBe(503);
  });
});

import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  let certificateDir: string;
  let certificate: TestCertificate;
  let dovecot: RunningDovecot;
  let horde: RunningHorde;
  const login = "frank@contoso.com";
  let token: string;

  beforeAll(async () => {
    service = await startTestService();
    certificateDir = await mkdtemp(path.join(os.tmpdir(), "mail-certificate-"));
    certificate = await makeTestCertificate(certificateDir);
    dovecot = await startDovecot({
      verifyUrl: `${service.url}/api/verify`,
      functionKey: service.functionKey,
      certificate,
      activeSync: true,
    });
    horde = await startHorde(dovecot.easPort);
    token = await service.token({ upn: login, oid: randomUUID() });
    expect((await service.call("POST", "/api/users/me/registration", { token })).status).toBe(201);
  });
  afterAll(async () => {
    await horde?.stop();
    await dovecot?.stop();
    await service?.close();
    await rm(certificateDir, { recursive: true, force: true });
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
    const refused = await easRequest(horde.url, "FolderSync", login, wrong);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Basic /);
  });
});

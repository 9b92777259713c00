import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../../support/testService";
import { imapLogin, smtpAuthPlain } from "./mailClients";
import { startDovecot, type RunningDovecot } from "./startDovecot";
import { makeTestCertificate, type TestCertificate } from "./testCertificate";

const loggedIn = /^a\d+ OK /;
const authenticationFailed = /^a\d+ NO \[AUTHENTICATIONFAILED\]/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Dovecot's auth cache on (`auth_cache_size`, a TTL of an hour), with the snippet's `cache_key=%u%r%s`: a
 * cached success is reused only for the same login, client address and service, so the service's address
 * and protocol restrictions still hold with the cache warm. What the cache can still do is measured too
 * (a deleted password keeps working for that login, address and service until the TTL), and what happens
 * without the key (2.3's Lua passdb then caches per login, and restrictions are bypassed), as the guide says.
 */
describe("Dovecot's auth cache with the app passwords passdb", () => {
  let service: TestService;
  let certificate: TestCertificate;
  let cached: RunningDovecot;
  const login = "erin@contoso.com";
  let token: string;

  beforeAll(async () => {
    service = await startTestService();
    certificate = await makeTestCertificate();
    cached = await startDovecot({
      verifyUrl: `${service.url}/api/verify`,
      functionKey: service.functionKey,
      certificate,
      authCache: {},
    });
    token = await service.token({ upn: login, oid: randomUUID() });
    expect((await service.call("POST", "/api/users/me/registration", { token })).status).toBe(201);
  });
  afterAll(async () => {
    await cached.stop();
    await service.close();
    await certificate.remove();
  });

  async function create(body: Record<string, unknown>): Promise<{ id: string; password: string }> {
    const created = await service.call("POST", "/api/users/me/app-passwords", { token, body });
    expect(created.status).toBe(201);
    return { id: created.json.id as string, password: created.json.password as string };
  }

  it("refuses an address-restricted app password from another address, with the cache warm", async () => {
    const { password } = await create({ name: "office", allowedIps: ["192.0.2.20/32"] });
    for (let i = 0; i < 2; i++) {
      expect((await imapLogin(cached.imapPort, login, password, { originatingIp: "192.0.2.20" })).login).toMatch(
        loggedIn,
      );
    }
    expect((await imapLogin(cached.imapPort, login, password, { originatingIp: "192.0.2.21" })).login).toMatch(
      authenticationFailed,
    );
    expect((await imapLogin(cached.imapPort, login, password)).login).toMatch(authenticationFailed);
  });

  it("refuses a protocol-restricted app password over another protocol, with the cache warm", async () => {
    const imapOnly = await create({ name: "reader", protocols: ["imap"] });
    expect((await imapLogin(cached.imapPort, login, imapOnly.password)).login).toMatch(loggedIn);
    expect((await imapLogin(cached.imapPort, login, imapOnly.password)).login).toMatch(loggedIn);
    expect(await smtpAuthPlain(cached.submissionPort, login, imapOnly.password)).toMatch(/^535 /);

    const smtpOnly = await create({ name: "scanner", protocols: ["smtp"] });
    expect(await smtpAuthPlain(cached.submissionPort, login, smtpOnly.password)).toMatch(/^235 /);
    expect(await smtpAuthPlain(cached.submissionPort, login, smtpOnly.password)).toMatch(/^235 /);
    expect((await imapLogin(cached.imapPort, login, smtpOnly.password)).login).toMatch(authenticationFailed);
  });

  it("still refuses a wrong password for a login with a cached success, and accepts another valid one", async () => {
    const tablet = await create({ name: "tablet" });
    const laptop = await create({ name: "laptop" });
    const from = { originatingIp: "192.0.2.25" };
    expect((await imapLogin(cached.imapPort, login, tablet.password, from)).login).toMatch(loggedIn);
    expect((await imapLogin(cached.imapPort, login, `${tablet.password.slice(0, -1)}x`, from)).login).toMatch(
      authenticationFailed,
    );
    // With auth_cache_negative_ttl = 0 the failure stops counting once Dovecot's clock (whole seconds) moves
    // on: the laptop may be refused within the failure's second, never after.
    let laptopLogin = "";
    for (let attempt = 0; attempt < 30 && !loggedIn.test(laptopLogin); attempt++) {
      if (attempt > 0) await sleep(100);
      laptopLogin = (await imapLogin(cached.imapPort, login, laptop.password, from)).login;
    }
    expect(laptopLogin).toMatch(loggedIn);
    expect((await imapLogin(cached.imapPort, login, tablet.password, from)).login).toMatch(loggedIn);
  });

  it("keeps a deleted app password working for the cached login, address and service until the TTL", async () => {
    const { id, password } = await create({ name: "old phone" });
    expect((await imapLogin(cached.imapPort, login, password, { originatingIp: "192.0.2.30" })).login).toMatch(
      loggedIn,
    );
    expect((await service.call("DELETE", `/api/users/me/app-passwords/${id}`, { token })).status).toBe(204);
    // The cached success, as the guide warns: only this login, from this address, over this service.
    expect((await imapLogin(cached.imapPort, login, password, { originatingIp: "192.0.2.30" })).login).toMatch(
      loggedIn,
    );
    expect((await imapLogin(cached.imapPort, login, password, { originatingIp: "192.0.2.31" })).login).toMatch(
      authenticationFailed,
    );
    expect(await smtpAuthPlain(cached.submissionPort, login, password)).toMatch(/^535 /);
  });

  it("without the snippet's cache_key, reuses a cached success from any address and over any service", async () => {
    const keyless = await startDovecot({
      verifyUrl: `${service.url}/api/verify`,
      functionKey: service.functionKey,
      certificate,
      authCache: { cacheKey: "" },
    });
    try {
      const office = await create({ name: "office only", allowedIps: ["192.0.2.40/32"], protocols: ["imap"] });
      const at = (address: string) => ({ originatingIp: address });
      expect((await imapLogin(keyless.imapPort, login, office.password, at("192.0.2.40"))).login).toMatch(loggedIn);
      expect((await imapLogin(keyless.imapPort, login, office.password, at("192.0.2.41"))).login).toMatch(loggedIn);
      expect(await smtpAuthPlain(keyless.submissionPort, login, office.password)).toMatch(/^235 /);
    } finally {
      await keyless.stop();
    }
  });

  it("with a negative TTL, refuses a valid app password after a failure from that address, until the TTL", async () => {
    const negative = await startDovecot({
      verifyUrl: `${service.url}/api/verify`,
      functionKey: service.functionKey,
      certificate,
      authCache: { negativeTtl: "1 hour" },
    });
    try {
      const oldPhone = await create({ name: "phone, old password" });
      const newPhone = await create({ name: "phone, new password" });
      const from = { originatingIp: "192.0.2.50" };
      expect((await imapLogin(negative.imapPort, login, oldPhone.password, from)).login).toMatch(loggedIn);
      const wrong = await imapLogin(negative.imapPort, login, "abcd efgh ijkl mnop", from);
      expect(wrong.login).toMatch(authenticationFailed);
      expect((await imapLogin(negative.imapPort, login, newPhone.password, from)).login).toMatch(authenticationFailed);
      // Still refused once Dovecot's clock has moved on, unlike with a negative TTL of 0.
      await sleep(1100);
      expect((await imapLogin(negative.imapPort, login, newPhone.password, from)).login).toMatch(authenticationFailed);
      const verified = await service.verify(login, newPhone.password, { clientIp: "192.0.2.50", protocol: "imap" });
      expect(verified.json).toMatchObject({ valid: true });
    } finally {
      await negative.stop();
    }
  });
});

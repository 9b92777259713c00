import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ROLES } from "../support/constants";
import { normalizeAppPassword } from "../../shared/domain/appPasswordSecret";
import { unknownOwner } from "../../shared/domain/verify";
import { THROTTLE_RULES, wrongPasswordFingerprint } from "../../shared/domain/verifyThrottle";
import { countedWrongPasswords } from "../support/countedWrongPasswords";
import { azuriteStore, countingHasher, startTestService, type TestService } from "../support/testService";

/** Wrong passwords that are all different; where a test needs each to count, see `countedWrongPasswords`. */
const wrong = (i: number) => `wrong${String(i).padStart(11, "x")}`.slice(0, 16);

describe("verify throttling", () => {
  const counts = { hash: 0, verify: 0 };
  let service: TestService;
  let aliceToken: string;
  let adminToken: string;
  let alicePassword: string;
  const alice = "alice@contoso.com";
  const aliceId = randomUUID();
  const phone = "198.51.100.20";

  beforeAll(async () => {
    service = await startTestService({ wrapHasher: countingHasher(counts) });
    aliceToken = await service.token({ upn: alice, oid: aliceId });
    adminToken = await service.token({ upn: "admin@contoso.com", roles: ADMIN_ROLES });
    const registered = await service.call("POST", "/api/users/me/registration", { token: aliceToken });
    alicePassword = registered.json.appPassword.password as string;
    // Alice's phone signs in once from its usual address: that address is now familiar.
    expect((await service.verify(alice, alicePassword, { clientIp: phone })).json.valid).toBe(true);
  });
  afterAll(() => service.close());

  it("answers 429 with Retry-After after 10 failures from one IP, without running argon2, while the phone keeps working", async () => {
    const attacker = "203.0.113.66";
    const nextWrong = countedWrongPasswords(service, aliceId);
    for (let i = 0; i < 10; i++) {
      const response = await service.verify(alice, await nextWrong(), { clientIp: attacker });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ valid: false });
      // The person's phone syncs in between, from its familiar address.
      expect((await service.verify(alice, alicePassword, { clientIp: phone })).json.valid).toBe(true);
    }
    const before = counts.verify;
    const throttled = await service.verify(alice, alicePassword, { clientIp: attacker });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("content-type")).toBe("application/problem+json");
    expect(throttled.json.code).toBe("VERIFY_THROTTLED");
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(50);
    expect(Number(throttled.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(counts.verify).toBe(before);
    expect((await service.verify(alice, alicePassword, { clientIp: phone })).json.valid).toBe(true);
  });

  it("counts the same wrong password sent again only once, so a phone retrying an old password is not locked out", async () => {
    const oldPhone = "198.51.100.77";
    // Counted once, then its repeats not at all, up to the cap of uncounted repeats an hour.
    for (let i = 0; i < 1 + THROTTLE_RULES.maxUncountedRepeats; i++) {
      const response = await service.verify(alice, "abcd efgh ijkl mnop", { clientIp: oldPhone });
      expect(response.status).toBe(200);
    }
    expect((await service.verify(alice, alicePassword, { clientIp: oldPhone })).json.valid).toBe(true);
  });

  describe("repeats of one wrong password past 20 uncounted an hour", () => {
    /** Statuses of the `passwordOf(i)`, sent in turn from `clientIp`, up to and including the first 429. */
    async function statusesUntilLockout(passwordOf: (i: number) => string, clientIp: string) {
      const statuses: number[] = [];
      while (statuses.at(-1) !== 429 && statuses.length < 60) {
        statuses.push((await service.verify(alice, passwordOf(statuses.length), { clientIp })).status);
      }
      return statuses;
    }

    it("counts them like any failure: the same wrong password is checked 30 times, and the 31st try is 429", async () => {
      const address = "198.51.100.78";
      const before = counts.verify;
      const statuses = await statusesUntilLockout(() => "qrst uvwx yzab cdef", address);
      expect(statuses).toEqual([...Array<number>(30).fill(200), 429]);
      expect(counts.verify - before).toBe(30);
      // Locked for that address like any lockout, the right password included, and unchecked.
      const locked = await service.verify(alice, alicePassword, { clientIp: address });
      expect(locked.status).toBe(429);
      expect(locked.json.code).toBe("VERIFY_THROTTLED");
      expect(counts.verify - before).toBe(30);
    });

    it("bounds different passwords crafted with the throttle key to share one fingerprint the same way", async () => {
      const fingerprint = (password: string) =>
        wrongPasswordFingerprint(service.config.throttleKey, aliceId, normalizeAppPassword(password));
      const planted = "mnopqrstuvwxyzab";
      // Three other passwords with the planted one's 16-bit fingerprint, as whoever holds the key can make.
      const crafted: string[] = [];
      for (let n = 0; crafted.length < 3; n++) {
        if (fingerprint(`crafted${n}`) === fingerprint(planted)) crafted.push(`crafted${n}`);
      }
      const statuses = await statusesUntilLockout((i) => (i === 0 ? planted : crafted[i % 3]!), "198.51.100.79");
      expect(statuses).toEqual([...Array<number>(30).fill(200), 429]);
    });
  });

  it("resets the count on a success", async () => {
    const laptop = "198.51.100.30";
    for (let i = 0; i < 9; i++) await service.verify(alice, wrong(100 + i), { clientIp: laptop });
    expect((await service.verify(alice, alicePassword, { clientIp: laptop })).json.valid).toBe(true);
    for (let i = 0; i < 9; i++) {
      expect((await service.verify(alice, wrong(200 + i), { clientIp: laptop })).status).toBe(200);
    }
    expect((await service.verify(alice, alicePassword, { clientIp: laptop })).json.valid).toBe(true);
  });

  it("counts IPv6 addresses per /64", async () => {
    const nextWrong = countedWrongPasswords(service, aliceId);
    for (let i = 0; i < 10; i++) await service.verify(alice, await nextWrong(), { clientIp: `2001:db8:5:6::${i + 1}` });
    const sameSubnet = await service.verify(alice, alicePassword, { clientIp: "2001:db8:5:6:ffff::1" });
    expect(sameSubnet.status).toBe(429);
    const otherSubnet = await service.verify(alice, alicePassword, { clientIp: "2001:db8:5:7::1" });
    expect(otherSubnet.json.valid).toBe(true);
  });

  it("throttles an unknown user exactly like a known one, so throttling does not reveal which accounts exist", async () => {
    const attacker = "203.0.113.90";
    const statuses: number[] = [];
    const nextWrong = countedWrongPasswords(service, unknownOwner(service.config.throttleKey, "ghost@contoso.com"));
    for (let i = 0; i < 11; i++)
      statuses.push((await service.verify("ghost@contoso.com", await nextWrong(), { clientIp: attacker })).status);
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429]);
  });

  it("counts failures against the client address the gateway reports, not against the gateway", async () => {
    const bobId = randomUUID();
    const bob = await service.token({ upn: "bob@contoso.com", oid: bobId });
    const bobPassword = (await service.call("POST", "/api/users/me/registration", { token: bob })).json.appPassword
      .password as string;
    const nextWrong = countedWrongPasswords(service, bobId);
    for (let i = 0; i < 10; i++) await service.verify("bob@contoso.com", await nextWrong());
    expect((await service.verify("bob@contoso.com", bobPassword)).status).toBe(429);
    expect((await service.verify("bob@contoso.com", bobPassword, { clientIp: "198.51.100.5" })).json.valid).toBe(true);
  });

  describe("the per-user limit of 100 failures from unfamiliar IPs", () => {
    it("refuses a wrong guess from every unfamiliar IP after 100, without argon2, never the familiar phone", async () => {
      // 100 different addresses, twice as many as are remembered per user: the phone must not be pushed out.
      for (let ip = 0; ip < 100; ip++) {
        expect((await service.verify(alice, wrong(1000 + ip), { clientIp: `192.0.2.${ip + 1}` })).status).toBe(200);
      }
      const before = counts.verify;
      const stranger = await service.verify(alice, wrong(2000), { clientIp: "192.0.2.200" });
      expect(stranger.status).toBe(429);
      expect(stranger.json.code).toBe("VERIFY_THROTTLED");
      expect(counts.verify).toBe(before);
      expect((await service.verify(alice, alicePassword, { clientIp: phone })).json.valid).toBe(true);
    });

    it("lets only an admin reset it", async () => {
      const denied = await service.call("DELETE", `/api/users/${aliceId}/throttle`, { token: aliceToken });
      expect(denied.status).toBe(403);
      expect(denied.json.code).toBe("FORBIDDEN");
      const reset = await service.call("DELETE", `/api/users/${aliceId}/throttle`, { token: adminToken });
      expect(reset.status).toBe(204);
      expect((await service.verify(alice, alicePassword, { clientIp: "203.0.113.66" })).json.valid).toBe(true);
    });

    it("never refuses the person's own password from a new address: their phone on mobile data gets in", async () => {
      for (let ip = 0; ip < 110; ip++) {
        await service.verify(alice, wrong(3000 + ip), { clientIp: `10.1.${ip >> 8}.${ip & 255}` });
      }
      const before = counts.verify;
      // A new wrong guess from a new address is refused unchecked...
      expect((await service.verify(alice, wrong(4000), { clientIp: "100.64.0.1" })).status).toBe(429);
      expect(counts.verify).toBe(before);
      // ...while the right password from another new address is checked, and lets the person in.
      const mobile = await service.verify(alice, alicePassword, { clientIp: "100.64.7.9" });
      expect(mobile.json.valid).toBe(true);
      // Checked by argon2, or answered by the repeat-login memory, which already holds its proof.
      expect(counts.verify - before).toBeLessThanOrEqual(1);
    });
  });
});

/** Guesses checked (argon2 verifications) beyond the limits when they come all at once: none. */
const BURST_EXTRA_CHECKS = 0;

describe("verify throttling under parallel bursts", () => {
  const counts = { hash: 0, verify: 0 };
  let service: TestService;
  let aliceId: string;
  let alicePassword: string;
  const alice = "burst-alice@contoso.com";

  beforeAll(async () => {
    service = await startTestService({ wrapHasher: countingHasher(counts) });
    aliceId = randomUUID();
    const token = await service.token({ upn: alice, oid: aliceId });
    alicePassword = (await service.call("POST", "/api/users/me/registration", { token })).json.appPassword
      .password as string;
  });
  afterAll(() => service.close());

  const storedThrottle = async () => (await azuriteStore(service.config.table.tableName).getThrottle(aliceId)).state;

  /** Sends all at once; every answer must be a denial, a throttle or "busy", never an error or a success. */
  async function burst(guesses: { password: string; clientIp: string }[]) {
    counts.verify = 0;
    const answers = await Promise.all(
      guesses.map(({ password, clientIp }) => service.verify(alice, password, { clientIp })),
    );
    const statuses = answers.map((answer) => (answer.status === 200 ? `200 ${answer.json.valid}` : answer.status));
    expect(statuses.filter((status) => !["200 false", 429, 503].includes(status))).toEqual([]);
    return { checked: counts.verify, denied: statuses.filter((status) => status === "200 false").length };
  }

  it("checks at most 10 of 100 simultaneous wrong guesses from one address, and locks it", async () => {
    const attacker = "203.0.113.50";
    const nextWrong = countedWrongPasswords(service, aliceId);
    const guesses = await Promise.all(
      Array.from({ length: 100 }, async () => ({ password: await nextWrong(), clientIp: attacker })),
    );
    const { checked, denied } = await burst(guesses);
    expect(checked).toBeLessThanOrEqual(10 + BURST_EXTRA_CHECKS);
    expect(denied).toBe(checked);
    expect((await storedThrottle()).ips[attacker]?.failures).toBe(checked);
    expect((await service.verify(alice, alicePassword, { clientIp: attacker })).status).toBe(429);
  });

  it("checks at most 100 of 300 simultaneous wrong guesses from 300 addresses", async () => {
    const nextWrong = countedWrongPasswords(service, aliceId);
    const guesses = await Promise.all(
      Array.from({ length: 300 }, async (_, i) => ({
        password: await nextWrong(),
        clientIp: `10.9.${i >> 8}.${i & 255}`,
      })),
    );
    const failuresBefore = (await storedThrottle()).unfamiliarFailures;
    const { checked, denied } = await burst(guesses);
    expect(checked).toBeLessThanOrEqual(100 + BURST_EXTRA_CHECKS);
    expect(denied).toBe(checked);
    // Every check was counted before it ran.
    expect((await storedThrottle()).unfamiliarFailures - failuresBefore).toBe(checked);
  });
});

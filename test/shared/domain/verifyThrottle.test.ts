import { describe, expect, it } from "vitest";
import {
  THROTTLE_RULES,
  afterFailure,
  afterSuccess,
  ipBucket,
  throttleDecision,
  NO_THROTTLE,
  storedIpsSchema,
  wrongPasswordFingerprint,
  type IpThrottle,
  type ThrottleState,
} from "../../../shared/domain/verifyThrottle";

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
const IP = "203.0.113.7";

/**
 * A fixed key and owner: with random ones, two of a test's wrong passwords could now and then share a
 * 16-bit fingerprint and count once; with these every run counts the same.
 */
const KEY = "a fixed throttle key: the same fingerprints on every run";
const OWNER = "0b5ab7c1-5b1a-4a38-9c1c-3f0e2a1d7e11";
const print = (password: string) => wrongPasswordFingerprint(KEY, OWNER, password);

/** Fails once with a new wrong password from `bucket` at `time`, as verify would when not throttled. */
function fail(state: ThrottleState, i: number, time: Date, bucket = IP, familiar = false): ThrottleState {
  return afterFailure(state, bucket, print(`wrongpassword${String(i).padStart(3, "0")}`), familiar, time);
}

/** An IP that succeeded at `lastSuccessAt` and has failed nothing since. */
const familiarIp = (lastSuccessAt: Date): IpThrottle => ({
  failures: 0,
  lockouts: 0,
  lastSuccessAt,
  recentWrong: [],
  updatedAt: lastSuccessAt,
});

describe("verify throttling rules", () => {
  it("locks an IP for 60 s at the tenth failure, then twice as long at each further lockout, up to an hour", () => {
    let state = NO_THROTTLE;
    let clock = 0;
    for (let i = 0; i < 9; i++) state = fail(state, i, at(clock));
    expect(throttleDecision(state, IP, at(clock)).throttled).toBe(false);
    const lockouts: number[] = [];
    for (let n = 0; n < 9; n++) {
      state = fail(state, 100 + n, at(clock));
      const decision = throttleDecision(state, IP, at(clock));
      if (!decision.throttled) throw new Error(`lockout ${n} did not lock`);
      lockouts.push(decision.retryAfterSeconds);
      clock += decision.retryAfterSeconds;
      expect(throttleDecision(state, IP, at(clock)).throttled).toBe(false);
    }
    expect(lockouts).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  });

  it("locks only the IP that failed", () => {
    let state = NO_THROTTLE;
    for (let i = 0; i < 10; i++) state = fail(state, i, at(0));
    expect(throttleDecision(state, IP, at(1)).throttled).toBe(true);
    expect(throttleDecision(state, "198.51.100.1", at(1))).toEqual({ throttled: false, familiar: false });
  });

  it("does not count the same wrong password twice, and forgets it after five others", () => {
    let state = fail(NO_THROTTLE, 1, at(0));
    const repeated = afterFailure(state, IP, print("wrongpassword001"), false, at(1));
    expect(repeated.ips[IP]).toMatchObject({ failures: 1, uncountedRepeats: 1 });
    expect(repeated.unfamiliarFailures).toBe(1);
    expect(
      afterFailure(state, "198.51.100.1", print("wrongpassword001"), false, at(1)).ips["198.51.100.1"],
    ).toMatchObject({ failures: 1 });
    for (let i = 2; i <= 6; i++) state = fail(state, i, at(i));
    expect(afterFailure(state, IP, print("wrongpassword001"), false, at(10)).ips[IP]?.failures).toBe(7);
    expect(state.ips[IP]?.recentWrong).toHaveLength(THROTTLE_RULES.rememberedWrongPasswords);
  });

  describe("at most 20 uncounted repeats per address an hour", () => {
    const cap = THROTTLE_RULES.maxUncountedRepeats;

    /** How many tries `fingerprintOf(n)` from IP at `time(n)` are admitted before the first throttled one. */
    function triesBeforeLockout(fingerprintOf: (n: number) => string, time = (n: number) => at(n)) {
      let state = NO_THROTTLE;
      let tries = 0;
      while (!throttleDecision(state, IP, time(tries)).throttled && tries < 1000) {
        state = afterFailure(state, IP, fingerprintOf(tries), false, time(tries));
        tries++;
      }
      return { tries, state };
    }

    it("counts the same wrong password once, then 20 repeats not at all, then each like any failure: 30 tries, the 31st locked", () => {
      const { tries, state } = triesBeforeLockout(() => print("wrongpassword001"));
      expect(cap).toBe(20);
      expect(tries).toBe(1 + cap + (THROTTLE_RULES.maxConsecutiveFailures - 1));
      expect(tries).toBe(30);
      expect(state.ips[IP]).toMatchObject({ failures: 10, lockouts: 1, uncountedRepeats: cap });
    });

    it("bounds five rotated wrong passwords the same way: five counted, 20 repeats, five more: 30 tries", () => {
      const { tries } = triesBeforeLockout((n) => print(`wrongpassword00${n % 5}`));
      expect(tries).toBe(30);
    });

    it("locks distinct wrong passwords at the 10th, as before: the 11th try is refused", () => {
      expect(triesBeforeLockout((n) => print(`wrongpassword${String(n).padStart(3, "0")}`)).tries).toBe(10);
    });

    it("leaves repeats uncounted again once the hour since the first uncounted one is over", () => {
      const wrong = print("wrongpassword001");
      let state = afterFailure(NO_THROTTLE, IP, wrong, false, at(0));
      for (let i = 1; i <= cap; i++) state = afterFailure(state, IP, wrong, false, at(i));
      expect(state.ips[IP]).toMatchObject({ failures: 1, uncountedRepeats: cap, repeatsSince: at(1) });
      const hour = THROTTLE_RULES.uncountedRepeatsWindowMs / 1000;
      state = afterFailure(state, IP, wrong, false, at(hour));
      expect(state.ips[IP]).toMatchObject({ failures: 2, uncountedRepeats: cap });
      state = afterFailure(state, IP, wrong, false, at(hour + 1));
      expect(state.ips[IP]).toMatchObject({ failures: 2, uncountedRepeats: 1, repeatsSince: at(hour + 1) });
      expect(state.ips[IP]?.recentWrong).toEqual([wrong]);
    });

    it("does not count an uncounted repeat against the user-wide limit, and a success clears the repeats", () => {
      const wrong = print("wrongpassword001");
      let state = afterFailure(NO_THROTTLE, IP, wrong, false, at(0));
      for (let i = 1; i <= 5; i++) state = afterFailure(state, IP, wrong, false, at(i));
      expect(state.unfamiliarFailures).toBe(1);
      const reset = afterSuccess(state, IP, at(10));
      expect(reset?.ips[IP]).toEqual({
        failures: 0,
        lockouts: 0,
        lastSuccessAt: at(10),
        recentWrong: [],
        updatedAt: at(10),
      });
    });

    it("reads a row stored before the cap (no repeat fields) and starts its repeats at 0", () => {
      const old = storedIpsSchema.parse(
        JSON.parse(
          JSON.stringify({
            [IP]: { failures: 1, lockouts: 0, recentWrong: [print("wrongpassword001")], updatedAt: at(0) },
          }),
        ),
      );
      const state = afterFailure({ unfamiliarFailures: 1, ips: old }, IP, print("wrongpassword001"), false, at(1));
      expect(state.ips[IP]).toMatchObject({ failures: 1, uncountedRepeats: 1, repeatsSince: at(1) });
      const stored = storedIpsSchema.parse(JSON.parse(JSON.stringify(state.ips)));
      expect(stored[IP]).toEqual(state.ips[IP]);
    });
  });

  it("stores wrong passwords only as 16-bit fingerprints keyed with the throttle key and the owner", () => {
    const state = fail(NO_THROTTLE, 1, at(0));
    expect(state.ips[IP]?.recentWrong).toEqual([print("wrongpassword001")]);
    expect(state.ips[IP]?.recentWrong[0]).toMatch(/^[0-9a-f]{4}$/);
    // Without the key, the stored fingerprint is not the unkeyed hash a thief could compute.
    const passwords = Array.from({ length: 64 }, (_, i) => `candidate${String(i).padStart(7, "0")}`);
    const under = (key: string, owner: string) => passwords.map((p) => wrongPasswordFingerprint(key, owner, p));
    expect(under(KEY, OWNER)).not.toEqual(under("another key of at least 32 characters", OWNER));
    expect(under(KEY, OWNER)).not.toEqual(under(KEY, "another owner"));
  });

  it("throttles unfamiliar IPs after 100 user-wide failures, never a familiar one, until a success", () => {
    const phone = "198.51.100.20";
    let state: ThrottleState = { ...NO_THROTTLE, ips: { [phone]: familiarIp(at(0)) } };
    for (let i = 0; i < 100; i++) state = fail(state, i, at(0), `192.0.2.${i % 20}`);
    expect(state.unfamiliarFailures).toBe(100);
    expect(throttleDecision(state, "192.0.2.200", at(1))).toEqual({
      throttled: true,
      retryAfterSeconds: THROTTLE_RULES.userLockRetryAfterSeconds,
    });
    expect(throttleDecision(state, phone, at(1))).toEqual({ throttled: false, familiar: true });
    const reset = afterSuccess(state, phone, at(2));
    expect(reset?.unfamiliarFailures).toBe(0);
  });

  it("lets a password whose id tag matches through the user-wide limit, never through an address's own lockout", () => {
    let state: ThrottleState = NO_THROTTLE;
    for (let i = 0; i < 100; i++) state = fail(state, i, at(0), `192.0.2.${i % 20}`);
    const newAddress = "198.51.100.99";
    expect(throttleDecision(state, newAddress, at(1), false).throttled).toBe(true);
    expect(throttleDecision(state, newAddress, at(1), true)).toEqual({ throttled: false, familiar: false });
    // 192.0.2.0 failed 5 times; five more lock it, tag or not.
    for (let i = 0; i < 5; i++) state = fail(state, 200 + i, at(2), "192.0.2.0");
    expect(throttleDecision(state, "192.0.2.0", at(3), true).throttled).toBe(true);
  });

  it("does not count a failure from a familiar IP against the user-wide limit", () => {
    const state = fail({ ...NO_THROTTLE, ips: { [IP]: familiarIp(at(0)) } }, 1, at(1), IP, true);
    expect(state.unfamiliarFailures).toBe(0);
    expect(state.ips[IP]).toMatchObject({ failures: 1, lastSuccessAt: at(0) });
  });

  it("forgets familiarity after 30 days", () => {
    const state = { ...NO_THROTTLE, ips: { [IP]: familiarIp(at(0)) } };
    const thirtyDays = THROTTLE_RULES.familiarForMs / 1000;
    expect(throttleDecision(state, IP, at(thirtyDays - 1))).toEqual({ throttled: false, familiar: true });
    expect(throttleDecision(state, IP, at(thirtyDays + 1))).toEqual({ throttled: false, familiar: false });
  });

  it("writes nothing after a success when the state is clean and recently refreshed", () => {
    const state = { ...NO_THROTTLE, ips: { [IP]: familiarIp(at(0)) } };
    expect(afterSuccess(state, IP, at(60))).toBeUndefined();
    expect(afterSuccess(state, IP, at(2 * 24 * 3600))?.ips[IP]?.lastSuccessAt).toEqual(at(2 * 24 * 3600));
    expect(afterSuccess(NO_THROTTLE, IP, at(0))?.ips[IP]?.lastSuccessAt).toEqual(at(0));
  });

  it("holds no familiar address and no running lockout in a row unwritten long enough to be forgotten", () => {
    // The phone succeeds, the last write; an attacker elsewhere reaches the longest lockout at the same time.
    let state = afterSuccess(NO_THROTTLE, IP, at(0)) ?? NO_THROTTLE;
    for (let i = 0; i < 20; i++) state = fail(state, i, at(0), "192.0.2.1");
    expect(throttleDecision(state, "192.0.2.1", at(0))).toEqual({ throttled: true, retryAfterSeconds: 3600 });
    const forgotten = at(THROTTLE_RULES.forgetQuietAfterMs / 1000);
    // Forgetting the row then loses only old counts, which is the point.
    expect(throttleDecision(state, IP, forgotten)).toEqual({ throttled: false, familiar: false });
    expect(throttleDecision(state, "192.0.2.1", forgotten)).toEqual({ throttled: false, familiar: false });
    expect(state.unfamiliarFailures).toBe(20);
  });

  describe("remembering at most 50 IPs per user", () => {
    const max = THROTTLE_RULES.maxRememberedIps;

    it("forgets the unfamiliar IP quiet the longest, keeping every familiar one", () => {
      const phones = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`198.51.100.${i}`, familiarIp(at(i))]));
      let state: ThrottleState = { ...NO_THROTTLE, ips: phones };
      for (let i = 0; i < max + 20; i++) state = fail(state, i, at(100 + i), `192.0.2.${i}`);
      const kept = Object.keys(state.ips);
      expect(kept).toHaveLength(max);
      expect(kept).toEqual(expect.arrayContaining(Object.keys(phones)));
      // 45 attacker IPs fit beside the 5 phones: the last 45 to fail.
      expect(kept).not.toContain("192.0.2.24");
      expect(kept).toContain("192.0.2.25");
      expect(state.unfamiliarFailures).toBe(max + 20);
    });

    it("forgets the familiar IP that succeeded longest ago when all are familiar", () => {
      let state: ThrottleState = NO_THROTTLE;
      for (let i = 0; i <= max; i++) state = afterSuccess(state, `192.0.2.${i}`, at(i)) ?? state;
      expect(Object.keys(state.ips)).toHaveLength(max);
      expect(state.ips["192.0.2.0"]).toBeUndefined();
      expect(state.ips[`192.0.2.${max}`]?.lastSuccessAt).toEqual(at(max));
    });
  });

  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::ffff:198.51.100.1", "198.51.100.1"],
    ["::ffff:c000:201", "192.0.2.1"],
    ["::FFFF:C000:0201", "192.0.2.1"],
    ["0:0:0:0:0:ffff:192.0.2.1", "192.0.2.1"],
    ["0000:0000:0000:0000:0000:ffff:c000:0201", "192.0.2.1"],
    ["[::ffff:192.0.2.1]", "192.0.2.1"],
    ["::192.0.2.1", "192.0.2.1"],
    ["::c000:201", "192.0.2.1"],
    ["0:0:0:0:0:0:192.0.2.1", "192.0.2.1"],
    ["::", "0:0:0:0::/64"],
    ["2001:db8:1:2::192.0.2.1", "2001:db8:1:2::/64"],
    ["not an ip", "unknown"],
  ])("counts %s in the bucket %s", (address, bucket) => {
    expect(ipBucket(address)).toBe(bucket);
  });
});

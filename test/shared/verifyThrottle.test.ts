import { describe, expect, it } from "vitest";
import {
  THROTTLE_RULES,
  afterFailure,
  afterSuccess,
  ipBucket,
  throttleDecision,
  wrongPasswordFingerprint,
  type ThrottleState,
} from "../../shared/verifyThrottle";

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

/** Fails once with a new wrong password at `time`, as verify would when not throttled. */
function fail(state: ThrottleState, i: number, time: Date, familiar = false): ThrottleState {
  return afterFailure(state, `wrongpassword${String(i).padStart(3, "0")}`, familiar, time) ?? state;
}

describe("verify throttling rules", () => {
  it("locks an IP for 60 s at the tenth failure, then twice as long at each further lockout, up to an hour", () => {
    let state: ThrottleState = {};
    let clock = 0;
    for (let i = 0; i < 9; i++) state = fail(state, i, at(clock));
    expect(throttleDecision(state, at(clock)).throttled).toBe(false);
    const lockouts: number[] = [];
    for (let n = 0; n < 9; n++) {
      state = fail(state, 100 + n, at(clock));
      const decision = throttleDecision(state, at(clock));
      if (!decision.throttled) throw new Error(`lockout ${n} did not lock`);
      lockouts.push(decision.retryAfterSeconds);
      clock += decision.retryAfterSeconds;
      expect(throttleDecision(state, at(clock)).throttled).toBe(false);
    }
    expect(lockouts).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  });

  it("does not count the same wrong password twice, and forgets it after five others", () => {
    let state: ThrottleState = fail({}, 1, at(0));
    expect(afterFailure(state, "wrongpassword001", false, at(1))).toBeUndefined();
    for (let i = 2; i <= 6; i++) state = fail(state, i, at(i));
    expect(afterFailure(state, "wrongpassword001", false, at(10))).toBeDefined();
    expect(state.ip?.recentWrong).toHaveLength(THROTTLE_RULES.rememberedWrongPasswords);
  });

  it("stores wrong passwords only as 16-bit salted fingerprints", () => {
    const state = fail({}, 1, at(0));
    expect(state.ip?.recentWrong).toEqual([wrongPasswordFingerprint(state.ip!.salt, "wrongpassword001")]);
    expect(state.ip?.recentWrong[0]).toMatch(/^[0-9a-f]{4}$/);
    expect(wrongPasswordFingerprint("salt-a", "same")).not.toBe(wrongPasswordFingerprint("salt-b", "same"));
  });

  it("throttles unfamiliar IPs after 100 user-wide failures, never a familiar one, until a success", () => {
    let state: ThrottleState = {};
    for (let i = 0; i < 100; i++) state = fail({ ...(state.user && { user: state.user }) }, i, at(0));
    expect(state.user?.unfamiliarFailures).toBe(100);
    expect(throttleDecision({ user: state.user! }, at(1))).toEqual({
      throttled: true,
      retryAfterSeconds: THROTTLE_RULES.userLockRetryAfterSeconds,
    });
    const familiarIp = { failures: 0, lockouts: 0, salt: "s", recentWrong: [], lastSuccessAt: at(0) };
    expect(throttleDecision({ ip: familiarIp, user: state.user! }, at(1))).toEqual({
      throttled: false,
      familiar: true,
    });
    const reset = afterSuccess({ ip: familiarIp, user: state.user! }, at(2));
    expect(reset?.user?.unfamiliarFailures).toBe(0);
  });

  it("forgets familiarity after 30 days", () => {
    const ip = { failures: 0, lockouts: 0, salt: "s", recentWrong: [], lastSuccessAt: at(0) };
    const thirtyDays = THROTTLE_RULES.familiarForMs / 1000;
    expect(throttleDecision({ ip }, at(thirtyDays - 1))).toEqual({ throttled: false, familiar: true });
    expect(throttleDecision({ ip }, at(thirtyDays + 1))).toEqual({ throttled: false, familiar: false });
  });

  it("writes nothing after a success when the state is clean and recently refreshed", () => {
    const ip = { failures: 0, lockouts: 0, salt: "s", recentWrong: [], lastSuccessAt: at(0) };
    expect(afterSuccess({ ip }, at(60))).toBeUndefined();
    expect(afterSuccess({ ip }, at(2 * 24 * 3600))?.ip?.lastSuccessAt).toEqual(at(2 * 24 * 3600));
    expect(afterSuccess({}, at(0))?.ip?.lastSuccessAt).toEqual(at(0));
  });

  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::ffff:198.51.100.1", "198.51.100.1"],
    ["not an ip", "unknown"],
  ])("counts %s in the bucket %s", (address, bucket) => {
    expect(ipBucket(address)).toBe(bucket);
  });
});

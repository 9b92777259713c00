import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { THROTTLE_RULES } from "../../shared/domain/verifyThrottle";
import { uniqueLogin } from "../support/fixtures";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("forgetQuietThrottles: the daily timer", () => {
  /** How far ahead of the real time the service's clock runs; storage stamps rows with the real time. */
  const clock = { aheadMs: 0 };
  let service: FunctionHarness;

  beforeAll(async () => {
    service = await startFunctionHarness({ now: () => new Date(Date.now() + clock.aheadMs) });
  });
  afterAll(() => service.close());

  const lastLog = () => service.logs.filter(({ message }) => message.startsWith("Deleted ")).at(-1)?.message;

  it("keeps throttling rows written lately, deletes those quiet for 31 days, and logs how many", async () => {
    for (const ghost of [uniqueLogin("ghost"), uniqueLogin("ghost")]) {
      expect((await service.verify(ghost, "wrongpasswordaaa", { clientIp: "192.0.2.9" })).json).toEqual({
        valid: false,
      });
    }
    await service.runTimer("forgetQuietThrottles");
    expect(lastLog()).toBe("Deleted 0 verify throttling rows unwritten for 31 days.");

    clock.aheadMs = THROTTLE_RULES.forgetQuietAfterMs + DAY_MS;
    await service.runTimer("forgetQuietThrottles");
    expect(lastLog()).toBe("Deleted 2 verify throttling rows unwritten for 31 days.");
    await service.runTimer("forgetQuietThrottles");
    expect(lastLog()).toBe("Deleted 0 verify throttling rows unwritten for 31 days.");
  });
});

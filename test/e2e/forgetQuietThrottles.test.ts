import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { THROTTLE_RULES } from "../../shared/domain/verifyThrottle";
import { registeredUser } from "../support/fixtures";
import { startTestService, type TestService } from "../support/testService";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The daily timer function that deletes throttling rows nobody wrote to for 31 days, run the way an operator
 * runs a timer by hand on the Functions host: `POST /admin/functions/{name}` with a key.
 */
describe("forgetQuietThrottles, the daily timer", () => {
  /** How far ahead of the real time the service's clock runs; storage stamps rows with the real time. */
  const clock = { aheadMs: 0 };
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ now: () => new Date(Date.now() + clock.aheadMs) });
  });
  afterAll(() => service.close());

  const run = (key: string = service.functionKey) =>
    service.call("POST", "/admin/functions/forgetQuietThrottles", { headers: { "x-functions-key": key } });
  const deletedLogs = () => service.logs.filter(({ message }) => message.startsWith("Deleted "));

  it("lifts the per-user limit of a user and of an unknown login name once they have been quiet for 31 days", async () => {
    const alice = await registeredUser(service, "alice");
    const ghost = "ghost-of-the-timer@contoso.com";
    // 100 failures, each from an address of its own: every unfamiliar address is refused after that.
    for (let i = 0; i < THROTTLE_RULES.maxUnfamiliarFailures; i++) {
      const clientIp = `192.0.2.${i + 1}`;
      expect((await service.verify(alice.loginName, "wrongpasswordaaa", { clientIp })).status).toBe(200);
      expect((await service.verify(ghost, "wrongpasswordaaa", { clientIp })).status).toBe(200);
    }
    const stranger = { clientIp: "198.51.100.99" };
    // A wrong guess: Alice's own password would pass the limit, which spares the person's devices.
    const statuses = async () => [
      (await service.verify(alice.loginName, "wrongpasswordbbb", stranger)).status,
      (await service.verify(ghost, "wrongpasswordbbb", stranger)).status,
    ];
    expect(await statuses()).toEqual([429, 429]);

    // Written just now: kept.
    expect((await run()).status).toBe(202);
    expect(deletedLogs().at(-1)?.message).toBe("Deleted 0 verify throttling rows unwritten for 31 days.");
    expect(await statuses()).toEqual([429, 429]);

    // 32 days on, the limit still holds (refusals write nothing, so the rows stay quiet) until the timer runs.
    clock.aheadMs = 32 * DAY_MS;
    expect(await statuses()).toEqual([429, 429]);
    expect((await run()).status).toBe(202);
    expect(deletedLogs().at(-1)?.message).toBe("Deleted 2 verify throttling rows unwritten for 31 days.");
    expect((await service.verify(alice.loginName, "wrongpasswordbbb", stranger)).json).toEqual({ valid: false });
    const after = await service.verify(alice.loginName, alice.initialPassword, stranger);
    expect(after.json).toMatchObject({ valid: true, userId: alice.userId });
    expect((await service.verify(ghost, "wrongpasswordbbb", stranger)).json).toEqual({ valid: false });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listOf, registeredUser } from "../support/fixtures";
import { expectProblem } from "../support/expectProblem";
import { startTestService, type TestService } from "../support/testService";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The daily timer that deletes expired and unused app passwords and prunes old activity, run the way an
 * operator runs a timer by hand on the Functions host: `POST /admin/functions/{name}` with a key.
 */
describe("cleanUpAppPasswords, the daily timer", () => {
  const clock = { aheadMs: 0 };
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({
      now: () => new Date(Date.now() + clock.aheadMs),
      env: { APP_PASSWORDS_DELETE_UNUSED_AFTER_DAYS: "60", APP_PASSWORDS_MAX_PER_USER: "3" },
    });
  });
  afterAll(() => service.close());

  const run = (key: string = service.functionKey) =>
    service.call("POST", "/admin/functions/cleanUpAppPasswords", { headers: { "x-functions-key": key } });
  const lastReport = () => service.logs.filter(({ message }) => message.startsWith("Deleted ")).at(-1)?.message;

  it("deletes what expired 30 days ago and what went unused for the tenant's days, keeping counts exact", async () => {
    const alice = await registeredUser(service, "alice");
    const create = (body: object) =>
      service.call("POST", "/api/users/me/app-passwords", { token: alice.token, body: { name: "x", ...body } });
    const loaner = await create({ name: "Loaner", expiresInDays: 1 });
    const phone = await create({ name: "Phone" });
    expect((await create({ name: "Fourth" })).status).toBe(409);

    clock.aheadMs = 31 * DAY_MS + 60_000;
    expect((await service.verify(alice.loginName, phone.json.password as string)).json.valid).toBe(true);
    expect((await run()).status).toBe(202);
    expect(lastReport()).toBe(
      "Deleted 1 expired and 0 unused app passwords, and 0 activity events older than 90 days.",
    );
    expect((await listOf(service, alice.token)).items.map((item) => item.name)).toEqual([
      "Initial app password",
      "Phone",
    ]);

    // 61 days on: the initial one was never used; the phone was, 30 days ago.
    clock.aheadMs = 61 * DAY_MS + 60_000;
    expect((await run()).status).toBe(202);
    expect(lastReport()).toBe(
      "Deleted 0 expired and 1 unused app passwords, and 0 activity events older than 90 days.",
    );
    expect((await listOf(service, alice.token)).items.map((item) => item.name)).toEqual(["Phone"]);
    // The count went down with each: exactly two more fit.
    expect((await create({ name: "Tablet" })).status).toBe(201);
    expect((await create({ name: "Laptop" })).status).toBe(201);
    expect((await create({ name: "Fourth" })).status).toBe(409);

    const activity = await service.call("GET", "/api/users/me/activity", { token: alice.token });
    const cleanedUp = (activity.json.items as { by?: string; appPasswordId?: string }[])
      .filter((event) => event.by === "clean-up")
      .map((event) => event.appPasswordId);
    expect(cleanedUp).toEqual([alice.initialId, loaner.json.id]);
  });

  it("prunes activity older than 90 days", async () => {
    const bob = await registeredUser(service, "bob");
    clock.aheadMs += 91 * DAY_MS;
    await service.verify(bob.loginName, bob.initialPassword);
    expect((await run()).status).toBe(202);
    expect(lastReport()).toMatch(/and [1-9]\d* activity events older than 90 days\.$/);
    const activity = await service.call("GET", "/api/users/me/activity", { token: bob.token });
    expect((activity.json.items as { event: string }[]).map((event) => event.event)).toEqual([
      "first-use-from-new-address",
    ]);
  });

  it("runs only with the function key", async () => {
    expectProblem(await run("not-the-key"), 401, "INVALID_FUNCTION_KEY");
  });
});

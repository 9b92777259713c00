import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProblem } from "../support/expectProblem";
import { countingHasher, startTestService, type TestService } from "../support/testService";

describe("the per-user limit and the cost of verify", () => {
  const counts = { hash: 0, verify: 0 };
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ wrapHasher: countingHasher(counts) });
  });
  afterAll(() => service.close());

  it("leaves exactly 40 app passwords after 100 concurrent creates for one user", async () => {
    const token = await service.token({ upn: "racer@contoso.com" });
    expect((await service.call("POST", "/api/users/me/registration", { token })).status).toBe(201);
    // As a client does: CONTENTION means nothing was written, so it tries again after Retry-After; a busy
    // machine makes it likelier, never wrong. STORAGE_UNAVAILABLE (a timeout) may or may not have written, so it
    // is a final answer, and each one allows one fewer 201.
    const create = async (name: string) => {
      for (let attempt = 1; ; attempt++) {
        const response = await service.call("POST", "/api/users/me/app-passwords", { token, body: { name } });
        if (response.status !== 503 || response.json.code !== "CONTENTION" || attempt === 10) return response;
        await sleep(Number(response.headers.get("retry-after")) * 1000);
      }
    };
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => create(`Phone ${i}`)));
    const statuses = responses.map((r) => r.status);
    const unavailable = responses.filter((r) => r.status === 503);
    for (const response of unavailable) expectProblem(response, 503, "STORAGE_UNAVAILABLE");
    const created = statuses.filter((s) => s === 201).length;
    expect(created).toBeLessThanOrEqual(39);
    expect(created).toBeGreaterThanOrEqual(39 - unavailable.length);
    expect(statuses.filter((s) => s === 409)).toHaveLength(100 - created - unavailable.length);
    const list = await service.call("GET", "/api/users/me/app-passwords", { token });
    expect(list.json.count).toBe(40);
    expect(new Set((list.json.items as { id: string }[]).map((i) => i.id)).size).toBe(40);
    const refused = responses.find((r) => r.status === 409)!;
    expect(refused.json.code).toBe("APP_PASSWORD_LIMIT_REACHED");
  });

  describe("with 40 stored app passwords", () => {
    let token: string;
    let last = "";

    beforeAll(async () => {
      token = await service.token({ upn: "many@contoso.com" });
      await service.call("POST", "/api/users/me/registration", { token });
      for (let i = 2; i <= 40; i++) {
        const created = await service.call("POST", "/api/users/me/app-passwords", { token, body: { name: `D${i}` } });
        last = created.json.password as string;
      }
    });

    it.each([
      ["the right password (the last one created)", (): [string, string] => ["many@contoso.com", last], true],
      ["a wrong password", (): [string, string] => ["many@contoso.com", "wrongwrongwrongw"], false],
      ["an unknown user", (): [string, string] => ["ghost@contoso.com", last], false],
      ["an unknown object id", (): [string, string] => ["3f2504e0-4f89-41d3-9a0c-0305e82c3301", last], false],
      [
        "a password that is not app-password shaped",
        (): [string, string] => ["many@contoso.com", "Summer2026!"],
        false,
      ],
    ] as const)("runs exactly one argon2 verification for %s", async (_, input, valid) => {
      const [user, password] = input();
      const before = { ...counts };
      const response = await service.verify(user, password);
      expect(response.json.valid).toBe(valid);
      expect(counts.verify - before.verify).toBe(1);
      expect(counts.hash - before.hash).toBe(0);
    });
  });
});

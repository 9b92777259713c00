import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { registeredUser, type RegisteredUser } from "../support/fixtures";
import { startWithAliceAndAdmin, type FunctionHarness } from "../support/functionHarness";

describe("listActivity: GET /api/users/{user}/activity", () => {
  let service: FunctionHarness, alice: RegisteredUser, admin: RegisteredUser;
  const clock = { aheadMs: 0 };
  const passwords: string[] = [];

  beforeAll(async () => {
    // The clock moves a second per step, so the events have an order to be listed in.
    ({ service, alice, admin } = await startWithAliceAndAdmin({
      now: () => new Date(Date.now() + (clock.aheadMs += 1000)),
    }));
    passwords.push(alice.initialPassword);
    for (let i = 1; i <= 5; i++) {
      const created = await service.call("POST", "/api/users/me/app-passwords", {
        token: alice.token,
        body: { name: `Device ${i}` },
      });
      passwords.push(created.json.password as string);
    }
  });
  afterAll(() => service.close());

  const activity = (query = "", options: { token?: string; user?: string } = {}) =>
    service.call("GET", `/api/users/${options.user ?? "me"}/activity${query}`, {
      ...(options.token !== undefined && { token: options.token }),
    });
  type Event = { event: string; name?: string; ip?: string; protocol?: string };
  const events = (response: { json: { items: Event[] } }) => response.json.items;

  describe("happy", () => {
    it("pages newest first with limit and continuation, through every event once", async () => {
      const names: (string | undefined)[] = [];
      let query = "?limit=4";
      let pages = 0;
      for (;;) {
        const response = await activity(query, { token: alice.token });
        expect(response.status).toBe(200);
        expect(events(response).length).toBeLessThanOrEqual(4);
        names.push(...events(response).map((event) => event.name));
        pages++;
        if (response.json.continuation === undefined) break;
        query = `?limit=4&continuation=${response.json.continuation as string}`;
      }
      expect(names).toEqual(["Device 5", "Device 4", "Device 3", "Device 2", "Device 1", "Initial app password"]);
      expect(pages).toBe(2);
    });

    it("records the first use from each new address with its protocol, and nothing for a repeat", async () => {
      const verify = (clientIp: string, protocol: string) =>
        service.verify(alice.loginName, passwords[1]!, { clientIp, protocol });
      expect((await verify("203.0.113.10", "imaps")).json.valid).toBe(true);
      expect((await verify("203.0.113.10", "imaps")).json.valid).toBe(true);
      expect((await verify("203.0.113.11", "submission")).json.valid).toBe(true);
      const newest = events(await activity("?limit=3", { token: alice.token }));
      expect(newest.slice(0, 2)).toEqual([
        expect.objectContaining({ event: "first-use-from-new-address", ip: "203.0.113.11", protocol: "smtp" }),
        expect.objectContaining({ event: "first-use-from-new-address", ip: "203.0.113.10", protocol: "imap" }),
      ]);
      expect(newest[2]?.event).toBe("created");
    });

    it("records a lockout with its address", async () => {
      for (let i = 0; i < 10; i++) {
        await service.verify(alice.loginName, `wrongpasswordx${String.fromCharCode(97 + i)}a`, {
          clientIp: "192.0.2.99",
        });
      }
      const [newest] = events(await activity("?limit=1", { token: alice.token }));
      expect(newest).toMatchObject({ event: "verify-locked-out", ip: "192.0.2.99" });
    });

    it("shows an admin the same, by object id or login name in any case", async () => {
      const own = (await activity("?limit=100", { token: alice.token })).json;
      for (const user of [alice.userId, alice.loginName.toUpperCase()]) {
        expect((await activity("?limit=100", { token: admin.token, user })).json).toEqual(own);
      }
    });
  });

  describe("errors", () => {
    it.each(["0", "101", "ten", "1.5"])("returns 400 naming limit when it is %s", async (limit) => {
      expectInvalid(await activity(`?limit=${limit}`, { token: alice.token }), "limit");
    });

    it("returns 400 INVALID_CONTINUATION for a continuation it did not hand out", async () => {
      expectProblem(await activity("?continuation=bm9wZQ", { token: alice.token }), 400, "INVALID_CONTINUATION");
      expectInvalid(await activity("?continuation=not%20one", { token: alice.token }), "continuation");
    });

    it("returns 400 naming a query parameter it does not know", async () => {
      expectInvalid(await activity("?since=yesterday", { token: alice.token }), "query");
    });
  });

  describe("security", () => {
    it("returns 401 without a token", async () => {
      expectProblem(await activity(), 401, "UNAUTHENTICATED");
    });

    it("returns 403 to anyone else, by object id or login name", async () => {
      const eve = await registeredUser(service, "eve");
      for (const user of [alice.userId, alice.loginName]) {
        expectProblem(await activity("", { token: eve.token, user }), 403, "FORBIDDEN");
      }
    });

    it("never holds a password, a hash or a token", async () => {
      const response = await activity("?limit=100", { token: admin.token, user: alice.userId });
      for (const secret of [...passwords, alice.token, "argon2"]) expect(response.text).not.toContain(secret);
    });
  });
});

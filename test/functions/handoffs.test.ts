import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTableHandoffStore } from "../../shared/adapters/tableHandoffStore";
import { HANDOFF_RULES, createHandoffService, type HandoffStore } from "../../shared/domain/handoffs";
import { principal } from "../support/fixtures";
import { openSetup, sealSetup, type SealedSetup } from "../../portal/src/setup/handoffCrypto";
import { expectInvalid, expectProblem } from "../support/expectProblem";
import { registeredUser, type RegisteredUser } from "../support/fixtures";
import { startWithAliceAndAdmin, type FunctionHarness } from "../support/functionHarness";
import { tableSnapshot } from "../support/tableSnapshot";

const MINUTE_MS = 60 * 1000;

/** A set-up as the page seals it (a DeviceSetupInput). */
const setupOf = (user: RegisteredUser) => ({
  loginName: user.loginName,
  appPasswordName: "Alice's iPhone",
  password: user.initialPassword,
  mail: { imap: { host: "imap.contoso.com", port: 993, security: "ssl" } },
});
const isSetup = (value: unknown): value is ReturnType<typeof setupOf> =>
  typeof value === "object" && value !== null && "password" in value;

describe("hand-offs: POST /api/users/{user}/handoffs, GET /api/handoffs/{id}, DELETE /api/users/{user}/handoffs/{id}", () => {
  /** How far ahead of the real time the service's clock runs. */
  const clock = { aheadMs: 0 };
  let service: FunctionHarness, alice: RegisteredUser, admin: RegisteredUser;

  beforeAll(async () => {
    ({ service, alice, admin } = await startWithAliceAndAdmin({ now: () => new Date(Date.now() + clock.aheadMs) }));
  });
  afterAll(() => service.close());

  const create = (user: { token: string }, body: unknown, path = "me") =>
    service.call("POST", `/api/users/${path}/handoffs`, { token: user.token, body });
  const read = (id: string) => service.call("GET", `/api/handoffs/${id}`);
  const remove = (user: { token: string }, id: string, path = "me") =>
    service.call("DELETE", `/api/users/${path}/handoffs/${id}`, { token: user.token });

  /** A hand-off of `user`'s set-up: its id, and the key that stays with the page. */
  async function handOff(user: RegisteredUser) {
    const { sealed, key } = await sealSetup(setupOf(user));
    const response = await create(user, sealed);
    expect(response.status, response.text).toBe(201);
    return { id: response.json.id as string, key, sealed, response };
  }

  describe("happy", () => {
    it("stores the ciphertext and answers 201 with a URL-safe id of at least 128 bits and the expiry 10 minutes on", async () => {
      const { response } = await handOff(alice);
      expect(response.json).toEqual({
        id: expect.stringMatching(/^[A-Za-z0-9_-]{34}$/),
        expiresAt: expect.any(String),
      });
      const lifetime = Date.parse(response.json.expiresAt as string) - Date.now() - clock.aheadMs;
      expect(lifetime).toBeGreaterThan(HANDOFF_RULES.lifetimeMs - MINUTE_MS);
      expect(lifetime).toBeLessThanOrEqual(HANDOFF_RULES.lifetimeMs);
      expect(response.headers.get("cache-control")).toBe("no-store");
    });

    it("answers the ciphertext once, to anyone, and then 404 HANDOFF_NOT_FOUND", async () => {
      const { id, key, sealed } = await handOff(alice);
      const first = await read(id);
      expect(first.status).toBe(200);
      expect(first.headers.get("cache-control")).toBe("no-store");
      expect(first.json).toEqual(sealed);
      expect(await openSetup(first.json as SealedSetup, key, isSetup)).toEqual(setupOf(alice));
      expectProblem(await read(id), 404, "HANDOFF_NOT_FOUND");
    });

    it("gives exactly one of many concurrent reads the ciphertext", async () => {
      const { id, sealed } = await handOff(alice);
      const answers = await Promise.all(Array.from({ length: 8 }, () => read(id)));
      const winners = answers.filter((answer) => answer.status === 200);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.json).toEqual(sealed);
      for (const loser of answers.filter((answer) => answer.status !== 200)) {
        expectProblem(loser, 404, "HANDOFF_NOT_FOUND");
      }
    });

    it("answers only one of two reads that both found the row before either deleted it", async () => {
      // The real store on Azurite, with its reads held until both readers have the row: the race made certain.
      const real = createTableHandoffStore(
        { connectionString: inject("tableConnectionString"), tableName: service.config.table.tableName },
        { timeoutMs: 5000 },
      );
      let arrived = 0;
      let release: () => void = () => undefined;
      const bothRead = new Promise<void>((resolve) => (release = resolve));
      const gated: HandoffStore = {
        ...real,
        async get(ownerTag, secret) {
          const found = await real.get(ownerTag, secret);
          if (++arrived === 2) release();
          await bothRead;
          return found;
        },
      };
      const handoffs = createHandoffService({ store: gated, ownerKey: service.config.throttleKey });
      const owner = principal("erin@contoso.com");
      const { sealed } = await sealSetup(setupOf(alice));
      const made = await handoffs.create(owner, owner.userId, sealed);
      if (made.code !== "HANDED_OFF") throw new Error(made.code);
      const answers = await Promise.all([handoffs.read(made.id), handoffs.read(made.id)]);
      expect(arrived).toBe(2);
      expect(answers.map((answer) => answer.code).sort()).toEqual(["HANDOFF_NOT_FOUND", "READ"]);
    });

    it("lets the owner delete an unread one: 204, then it cannot be read or deleted again", async () => {
      const { id } = await handOff(alice);
      expect((await remove(alice, id)).status).toBe(204);
      expectProblem(await read(id), 404, "HANDOFF_NOT_FOUND");
      expectProblem(await remove(alice, id), 404, "HANDOFF_NOT_FOUND");
    });

    it("stores only the ciphertext: no password, login name, key or server in the table", async () => {
      const bob = await registeredUser(service, "bob");
      const { key } = await handOff(bob);
      const stored = JSON.stringify(await tableSnapshot(service, { throttle: "none" }));
      expect(stored).toContain("Ciphertext");
      for (const secret of [bob.initialPassword, key, "imap.contoso.com", "Alice's iPhone"]) {
        expect(stored).not.toContain(secret);
      }
      // Nor the owner's object id in a hand-off's keys: its partition is a keyed hash of it.
      const handoffRows = (await tableSnapshot(service)).filter((row) => row.partitionKey.startsWith("handoff_"));
      expect(handoffRows.length).toBeGreaterThan(0);
      for (const row of handoffRows) expect(JSON.stringify(row)).not.toContain(bob.userId);
    });

    it("never logs the ciphertext", async () => {
      const { id, sealed } = await handOff(alice);
      await read(id);
      expect(JSON.stringify(service.logs)).not.toContain(sealed.ciphertext);
    });
  });

  describe("expiry", () => {
    it("answers 404 after 10 minutes, deletes the row it found, and the hourly sweep deletes the unread rest", async () => {
      const carol = await registeredUser(service, "carol");
      const late = await handOff(carol);
      const unread = await handOff(carol);
      const rows = async () =>
        (await tableSnapshot(service)).filter((row) => row.partitionKey.startsWith("handoff_")).length;
      const before = await rows();
      clock.aheadMs += HANDOFF_RULES.lifetimeMs + 1000;
      try {
        expectProblem(await read(late.id), 404, "HANDOFF_NOT_FOUND");
        expect(await rows()).toBe(before - 1);
        // The owner deleting an expired one finds nothing to take back.
        expectProblem(await remove(carol, unread.id), 404, "HANDOFF_NOT_FOUND");
        await handOff(carol);
        clock.aheadMs += HANDOFF_RULES.lifetimeMs + 1000;
        await service.runTimer("cleanUpHandoffs");
        expect(await rows()).toBe(0);
        expect(service.logs.at(-1)?.message).toMatch(/^Deleted [1-9]\d* expired hand-offs\.$/);
      } finally {
        clock.aheadMs = 0;
      }
    });
  });

  describe("errors", () => {
    it(`answers 413 HANDOFF_TOO_LARGE for a request of ${HANDOFF_RULES.maxRequestBytes} + 1 bytes, and takes one of exactly ${HANDOFF_RULES.maxRequestBytes}`, async () => {
      const { sealed } = await sealSetup(setupOf(alice));
      const bodyOf = (bytes: number) => {
        const empty = JSON.stringify({ ciphertext: "", iv: sealed.iv });
        return JSON.stringify({ ciphertext: "A".repeat(bytes - empty.length), iv: sealed.iv });
      };
      const send = (rawBody: string) =>
        service.call("POST", "/api/users/me/handoffs", {
          token: alice.token,
          rawBody,
          headers: { "content-type": "application/json" },
        });
      const before = await tableSnapshot(service);
      const tooLarge = await send(bodyOf(HANDOFF_RULES.maxRequestBytes + 1));
      expectProblem(tooLarge, 413, "HANDOFF_TOO_LARGE");
      expect(await tableSnapshot(service)).toEqual(before);
      const largest = await send(bodyOf(HANDOFF_RULES.maxRequestBytes));
      expect(largest.status, largest.text).toBe(201);
      expect((await remove(alice, largest.json.id as string)).status).toBe(204);
    });

    it.each([
      ["without a ciphertext", { iv: "AAAAAAAAAAAAAAAA" }, "ciphertext"],
      [
        "with a ciphertext that is not base64url",
        { ciphertext: "a+b/c=".repeat(8), iv: "AAAAAAAAAAAAAAAA" },
        "ciphertext",
      ],
      ["with a ciphertext shorter than a GCM tag", { ciphertext: "AAAA", iv: "AAAAAAAAAAAAAAAA" }, "ciphertext"],
      ["without an iv", { ciphertext: "A".repeat(40) }, "iv"],
      ["with an iv of 8 bytes", { ciphertext: "A".repeat(40), iv: "AAAAAAAAAAA" }, "iv"],
      ["with a field it does not know", { ciphertext: "A".repeat(40), iv: "AAAAAAAAAAAAAAAA", key: "x" }, "body"],
    ])("answers 400 naming the field for a body %s", async (_, body, field) => {
      expectInvalid(await create(alice, body), field);
    });

    it("answers 400 for an id that cannot be a hand-off's, and 404 for a well-formed unknown one", async () => {
      expectInvalid(await read("not-an-id"), "handoffId");
      expectProblem(await read("A".repeat(34)), 404, "HANDOFF_NOT_FOUND");
    });

    it("answers 404 to someone else deleting a hand-off, and leaves it readable", async () => {
      const { id, sealed } = await handOff(alice);
      const mallory = await registeredUser(service, "mallory");
      expectProblem(await remove(mallory, id), 404, "HANDOFF_NOT_FOUND");
      expectProblem(await remove(admin, id), 404, "HANDOFF_NOT_FOUND");
      expect((await read(id)).json).toEqual(sealed);
    });

    it("refuses an administrator making or deleting one for someone else with 403 SELF_SERVICE_ONLY", async () => {
      const { sealed } = await sealSetup(setupOf(alice));
      expectProblem(await create(admin, sealed, alice.userId), 403, "SELF_SERVICE_ONLY");
      expectProblem(await create(admin, sealed, alice.loginName), 403, "SELF_SERVICE_ONLY");
      expectProblem(await remove(admin, "A".repeat(34), alice.userId), 403, "SELF_SERVICE_ONLY");
    });

    it("refuses another person's id in the route with 403 FORBIDDEN", async () => {
      const { sealed } = await sealSetup(setupOf(alice));
      const mallory = await registeredUser(service, "mallory");
      expectProblem(await create(mallory, sealed, alice.userId), 403, "FORBIDDEN");
    });

    it(`answers 429 HANDOFF_LIMIT_REACHED with Retry-After past ${HANDOFF_RULES.maxLive} live hand-offs; a read or expiry frees one`, async () => {
      const dave = await registeredUser(service, "dave");
      const made = [];
      for (let i = 0; i < HANDOFF_RULES.maxLive; i++) made.push(await handOff(dave));
      const { sealed } = await sealSetup(setupOf(dave));
      const refused = await create(dave, sealed);
      expectProblem(refused, 429, "HANDOFF_LIMIT_REACHED");
      expect(refused.json.limit).toBe(HANDOFF_RULES.maxLive);
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(HANDOFF_RULES.lifetimeMs / 1000);
      // Someone else is not limited by dave's.
      expect((await create(alice, sealed)).status).toBe(201);

      expect((await read(made[0]?.id ?? "")).status).toBe(200);
      expect((await create(dave, sealed)).status).toBe(201);
      expectProblem(await create(dave, sealed), 429, "HANDOFF_LIMIT_REACHED");
      clock.aheadMs += HANDOFF_RULES.lifetimeMs + 1000;
      try {
        expect((await create(dave, sealed)).status).toBe(201);
      } finally {
        clock.aheadMs = 0;
      }
    });
  });
});

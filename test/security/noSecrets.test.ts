import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallResult } from "../support/serviceClient";
import { startTestService, type TestService } from "../support/testService";
import { ADMIN_ROLES, CHEAP_ARGON2_SETTINGS } from "../support/constants";
import { tableSnapshot } from "../support/tableSnapshot";

const PHONE = "198.51.100.23";
const ATTACKER = "203.0.113.50";

/** The form verify checks a typed password in: no spaces or hyphens, lowercase. */
const normalized = (password: string) => password.replace(/[\s-]+/g, "").toLowerCase();

/** Every form in which a secret could give itself away in storage or a log. */
function formsOf(secret: string): string[] {
  const forms = [secret, normalized(secret)];
  for (const form of [...forms]) {
    forms.push(Buffer.from(form).toString("base64"), Buffer.from(form).toString("hex"));
  }
  return [...new Set(forms)];
}

interface Exchange {
  readonly label: string;
  readonly response: CallResult;
}

describe("no secret is ever stored, logged or cached", () => {
  let service: TestService;
  const exchanges: Exchange[] = [];
  /** Generated app passwords, with the label of the one response allowed to show each. */
  const generated: { password: string; shownIn: string }[] = [];
  const wrongSent: string[] = [];

  async function record(label: string, pending: Promise<CallResult>): Promise<CallResult> {
    const response = await pending;
    exchanges.push({ label, response });
    return response;
  }

  /** Sends a verify with a wrong password, and remembers that password as a secret to look for. */
  async function verifyWrong(label: string, user: string, password: string, clientIp = ATTACKER) {
    wrongSent.push(password);
    return record(label, service.verify(user, password, { clientIp }));
  }

  /** What went to the console while the story ran: in Azure, console output ends up in the logs too. */
  const consoleLines: string[] = [];
  const consoleMethods = ["log", "info", "warn", "error", "debug", "trace"] as const;
  const originalConsole = consoleMethods.map((method) => [method, console[method].bind(console)] as const);

  beforeAll(async () => {
    for (const [method, original] of originalConsole) {
      console[method] = (...args: unknown[]) => {
        consoleLines.push(args.map((arg) => (typeof arg === "string" ? arg : inspect(arg))).join(" "));
        original(...args);
      };
    }
    service = await startTestService({ env: CHEAP_ARGON2_SETTINGS });
    const alice = { upn: "alice@contoso.com", token: await service.token({ upn: "alice@contoso.com" }) };
    const bob = { upn: "bob@contoso.com", token: await service.token({ upn: "bob@contoso.com" }) };
    const admin = await service.token({ upn: "admin@contoso.com", roles: ADMIN_ROLES });

    const registered = await record(
      "alice registers",
      service.call("POST", "/api/users/me/registration", { token: alice.token }),
    );
    expect(registered.status).toBe(201);
    generated.push({ password: registered.json.appPassword.password as string, shownIn: "alice registers" });
    const aliceId = registered.json.userId as string;

    const bobRegistered = await record(
      "bob registers",
      service.call("POST", "/api/users/me/registration", { token: bob.token }),
    );
    generated.push({ password: bobRegistered.json.appPassword.password as string, shownIn: "bob registers" });

    const ids: string[] = [registered.json.appPassword.id as string];
    for (const name of ["iPhone", "Outlook 2016", "Calendar sync"]) {
      const label = `alice creates ${name}`;
      const created = await record(
        label,
        service.call("POST", "/api/users/me/app-passwords", { token: alice.token, body: { name } }),
      );
      expect(created.status).toBe(201);
      generated.push({ password: created.json.password as string, shownIn: label });
      ids.push(created.json.id as string);
    }
    const alicePasswords = generated.filter((entry) => entry.shownIn.startsWith("alice")).map((e) => e.password);

    for (const [index, password] of alicePasswords.entries()) {
      const right = await record(`right password ${index}`, service.verify(alice.upn, password, { clientIp: PHONE }));
      expect(right.json.valid).toBe(true);
    }
    // As a phone keyboard types it: capitalized, in groups.
    const typed = (alicePasswords[1] ?? "").toUpperCase().replace(/(.{4})(?!$)/g, "$1 ");
    expect((await record("right password, typed", service.verify(alice.upn, typed, { clientIp: PHONE }))).json).toEqual(
      expect.objectContaining({ valid: true }),
    );

    const first = alicePasswords[0] ?? "";
    const nearMiss = first.slice(0, -1) + (first.endsWith("a") ? "b" : "a");
    for (const wrong of [
      "Tr0ub4dor&3-Winter",
      "correct horse battery staple",
      "P@ssw0rd!2024",
      nearMiss,
      nearMiss.toUpperCase().replace(/(.{4})(?!$)/g, "$1-"),
      bobRegistered.json.appPassword.password as string,
      "Alice's primary password, typed by mistake",
    ]) {
      const response = await verifyWrong(`wrong password for alice`, alice.upn, wrong);
      expect(response.json).toEqual({ valid: false });
    }
    await verifyWrong("wrong password for alice by object id", aliceId, "Tr0ub4dor&3-Winter");
    await verifyWrong("unknown user", "ghost@contoso.com", "Summer2024!Summer");
    await verifyWrong("unknown user, a primary password", "ghost@contoso.com", "Tr0ub4dor&3-Winter");
    // Requests the service may well answer with an error: their error handling must not log the password.
    await verifyWrong("malformed login name", "\ud800ghost@contoso.com", "Hunter2-Autumn-Leaves");
    await verifyWrong("oversized login name", "é".repeat(300), "Hunter3-Autumn-Leaves");
    wrongSent.push("Hunter4-Autumn-Leaves");
    await record(
      "verify with an unexpected member",
      service.call("POST", "/api/verify", {
        body: { user: alice.upn, password: "Hunter4-Autumn-Leaves", extra: true },
        headers: { "x-functions-key": service.functionKey },
      }),
    );
    wrongSent.push("Hunter5-Autumn-Leaves");
    await record(
      "verify without the function key",
      service.call("POST", "/api/verify", { body: { user: alice.upn, password: "Hunter5-Autumn-Leaves" } }),
    );

    const list = await record(
      "alice lists",
      service.call("GET", "/api/users/me/app-passwords", { token: alice.token }),
    );
    expect(list.json.count).toBe(4);
    const deleted = await record(
      "alice deletes one",
      service.call("DELETE", `/api/users/me/app-passwords/${ids[1] ?? ""}`, { token: alice.token }),
    );
    expect(deleted.status).toBe(204);
    const afterDelete = await record(
      "deleted password",
      service.verify(alice.upn, alicePasswords[1] ?? "", { clientIp: PHONE }),
    );
    expect(afterDelete.json).toEqual({ valid: false });

    expect(
      (
        await record(
          "admin resets throttle",
          service.call("DELETE", `/api/users/${aliceId}/throttle`, { token: admin }),
        )
      ).status,
    ).toBe(204);
    const deleteAll = await record(
      "admin deletes all",
      service.call("DELETE", `/api/users/${aliceId}/app-passwords`, { token: admin }),
    );
    expect(deleteAll.status).toBe(204);
    for (const [index, password] of alicePasswords.entries()) {
      const response = await record(
        `after delete-all ${index}`,
        service.verify(alice.upn, password, { clientIp: PHONE }),
      );
      expect(response.json).toEqual({ valid: false });
    }
    const again = await record(
      "alice registers again",
      service.call("POST", "/api/users/me/registration", { token: alice.token }),
    );
    expect(again.status).toBe(200);
    for (const [method, original] of originalConsole) console[method] = original;
  });
  afterAll(async () => {
    for (const [method, original] of originalConsole) console[method] = original;
    await service.close();
  });

  const secrets = () => [...generated.map((entry) => entry.password), ...wrongSent];

  it("stores no password, in any form, in any property of any entity", async () => {
    const rows = await tableSnapshot(service);
    expect(rows.length).toBeGreaterThan(5);
    const stored = rows.map((row) => JSON.stringify(row));
    // The hashes are there, as argon2id PHC strings and nothing else.
    expect(stored.some((text) => text.includes("$argon2id$"))).toBe(true);
    for (const secret of secrets()) {
      for (const form of formsOf(secret)) {
        for (const text of stored) expect(text, `stored: ${form}`).not.toContain(form);
      }
    }
  });

  it("logs no password, in any form, neither through the function context nor on the console", () => {
    const logged = [...service.logs.map((line) => `${line.level} ${line.message}`), ...consoleLines];
    for (const secret of secrets()) {
      for (const form of formsOf(secret)) {
        for (const line of logged) expect(line, `logged: ${form}`).not.toContain(form);
      }
    }
  });

  it("shows each generated password only in the one response that created it, and never a wrong one", () => {
    // Bob's app password was also sent as a wrong one for Alice: his own registration may show it.
    const wrongForms = wrongSent
      .filter((wrong) => !generated.some(({ password }) => password === wrong))
      .flatMap(formsOf);
    for (const { label, response } of exchanges) {
      const headers = [...response.headers.entries()].map(([name, value]) => `${name}: ${value}`).join("\n");
      const text = `${headers}\n${response.text}`;
      for (const { password, shownIn } of generated) {
        if (label !== shownIn) expect(text, `${label} shows a password`).not.toContain(password);
      }
      for (const form of wrongForms) expect(text, `${label} echoes a wrong password`).not.toContain(form);
    }
  });

  it("sends X-Content-Type-Options: nosniff on every response", () => {
    expect(exchanges.length).toBeGreaterThan(20);
    for (const { label, response } of exchanges) {
      expect(response.headers.get("x-content-type-options"), label).toBe("nosniff");
    }
  });

  it("sends Cache-Control: no-store on every response that carries a password", () => {
    const carrying = exchanges.filter(({ response }) =>
      generated.some(({ password }) => response.text.includes(password)),
    );
    expect(carrying.map(({ label }) => label).sort()).toEqual(generated.map(({ shownIn }) => shownIn).sort());
    for (const { label, response } of carrying) {
      expect(response.headers.get("cache-control"), label).toBe("no-store");
    }
  });
});

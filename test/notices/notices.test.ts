import { odata, TableClient } from "@azure/data-tables";
import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { NOTICE_QUEUE } from "../../shared/notices/noticeConfig";
import { CHEAP_ARGON2_SETTINGS, ADMIN_ROLES } from "../support/constants";
import { registeredUser, type RegisteredUser } from "../support/fixtures";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";
import { startSmtpSink, type SmtpSink } from "../support/smtpSink";

// Notices end to end in process: the change, the real Azurite queue, the sendNotice function as the host's
// trigger runs it, and a real SMTP server that reads each mail back.
const PORTAL = "https://portal.example.test";
const queue = new QueueClient(inject("queueConnectionString"), NOTICE_QUEUE);
const poison = new QueueClient(inject("queueConnectionString"), `${NOTICE_QUEUE}-poison`);

let sink: SmtpSink;
let service: FunctionHarness;
let alice: RegisteredUser;
let admin: RegisteredUser;

async function drain(): Promise<void> {
  for (let pass = 0; pass < 20; pass++) {
    const done = await service.pollQueue("sendNotice");
    if (done.done + done.failed + done.poisoned === 0) return;
  }
}

const peekCount = async (client: QueueClient) => (await client.getProperties()).approximateMessagesCount ?? 0;

beforeAll(async () => {
  sink = await startSmtpSink();
  await Promise.all([queue.createIfNotExists(), poison.createIfNotExists()]);
  await Promise.all([queue.clearMessages(), poison.clearMessages()]);
  service = await startFunctionHarness({
    env: {
      ...CHEAP_ARGON2_SETTINGS,
      NOTICES_QUEUE_CONNECTION_STRING: inject("queueConnectionString"),
      NOTICES_SMTP_URL: sink.url,
      APP_PASSWORDS_PORTAL_URL: PORTAL,
    },
  });
  alice = await registeredUser(service, "alice");
  admin = await registeredUser(service, "admin", ADMIN_ROLES);
  // The page's call remembers Alice's language (Dutch) and address (her token's email claim).
  const aliceToken = await service.token({ upn: alice.loginName, oid: alice.userId, email: "Alice@Mail.Example" });
  alice = { ...alice, token: aliceToken };
  await service.call("GET", "/api/users/me/app-passwords", {
    token: aliceToken,
    headers: { "accept-language": "nl-NL,nl;q=0.9,en;q=0.5" },
  });
  await drain();
});
afterAll(async () => {
  await service.close();
  await sink.close();
});
beforeEach(async () => {
  sink.mode = "accept";
  sink.mails.length = 0;
  await drain();
  sink.mails.length = 0;
});

describe("notices by email", () => {
  it("mails the person a created notice in their language, with the page's address and the link, never the password", async () => {
    const created = await service.call("POST", "/api/users/me/app-passwords", {
      token: alice.token,
      headers: { "x-forwarded-for": "203.0.113.7:51234" },
      body: { name: "Thunderbird" },
    });
    expect(created.status).toBe(201);
    await vi.waitFor(async () => {
      await drain();
      expect(sink.mails).toHaveLength(1);
    });
    const [mail] = sink.mails;
    expect(mail?.to).toMatchObject({ text: "alice@mail.example" });
    expect(mail?.subject).toBe('Er is een nieuw app-wachtwoord "Thunderbird" gemaakt');
    expect(mail?.text).toContain("203.0.113.7");
    expect(mail?.text).toContain(`${PORTAL}/#activity`);
    expect(mail?.text).not.toContain(created.json.password as string);
    expect(mail?.text).not.toContain(alice.initialPassword);
  });

  it("mails the first app password's created notice at registration, with the page's address", async () => {
    const loginName = `dora-${Date.now()}@contoso.example`;
    const token = await service.token({ upn: loginName });
    const registered = await service.call("POST", "/api/users/me/registration", {
      token,
      headers: { "x-forwarded-for": "203.0.113.8" },
    });
    expect(registered.status).toBe(201);
    await vi.waitFor(async () => {
      await drain();
      expect(sink.mails.map((mail) => mail.subject)).toEqual(['A new app password "Initial app password" was created']);
    });
    expect(sink.mails[0]?.to).toMatchObject({ text: loginName });
    expect(sink.mails[0]?.text).toContain("203.0.113.8");
  });

  it("mails a first use from a new address with the address and protocol", async () => {
    const created = await service.call("POST", "/api/users/me/app-passwords", {
      token: alice.token,
      body: { name: "Phone" },
    });
    await drain();
    sink.mails.length = 0;
    const verified = await service.call("POST", "/api/verify", {
      body: { user: alice.loginName, password: created.json.password, clientIp: "198.51.100.77", protocol: "imap" },
    });
    expect(verified.json.valid).toBe(true);
    await drain();
    expect(sink.mails.map((mail) => mail.subject)).toEqual([
      'Uw app-wachtwoord "Phone" is gebruikt vanaf een nieuw adres',
    ]);
    expect(sink.mails[0]?.text).toContain("198.51.100.77 (IMAP)");
    expect(sink.mails[0]?.text).not.toContain(created.json.password as string);
  });

  it("mails a deletion by an administrator, and none for the person's own deletion", async () => {
    const created = await service.call("POST", `/api/users/me/app-passwords`, {
      token: alice.token,
      body: { name: "Old laptop" },
    });
    const own = await service.call("POST", `/api/users/me/app-passwords`, {
      token: alice.token,
      body: { name: "Mine" },
    });
    await drain();
    sink.mails.length = 0;
    const byAdmin = await service.call("DELETE", `/api/users/${alice.userId}/app-passwords/${created.json.id}`, {
      token: admin.token,
    });
    expect(byAdmin.status).toBe(204);
    const byHer = await service.call("DELETE", `/api/users/me/app-passwords/${own.json.id}`, { token: alice.token });
    expect(byHer.status).toBe(204);
    await drain();
    expect(sink.mails.map((mail) => mail.subject)).toEqual(['Uw app-wachtwoord "Old laptop" is verwijderd']);
    expect(sink.mails[0]?.text).toContain("Een beheerder");
  });

  it("writes in English to a person whose page asks for it, to their login name without an email claim", async () => {
    await service.call("GET", "/api/users/me/app-passwords", {
      token: admin.token,
      headers: { "accept-language": "en-GB" },
    });
    await vi.waitFor(async () => {
      await service.call("POST", "/api/users/me/app-passwords", { token: admin.token, body: { name: "Outlook" } });
      await drain();
      expect(sink.mails.at(-1)?.subject).toBe('A new app password "Outlook" was created');
    });
    expect(sink.mails.at(-1)?.to).toMatchObject({ text: admin.loginName });
  });
});

describe("delivery", () => {
  it("sends the same notice once however often the queue delivers it", async () => {
    const notice = {
      id: `same-${Date.now()}`,
      userId: alice.userId,
      kind: "created",
      at: new Date().toISOString(),
      name: "Twice",
    } as const;
    expect(await service.services.deliverNotice(notice)).toBe("sent");
    expect(await service.services.deliverNotice(notice)).toBe("already-sent");
    expect(sink.mails.filter((mail) => mail.subject?.includes("Twice"))).toHaveLength(1);
  });

  it.each(["refuse", "hang"] as const)(
    "answers the creation 201 when the SMTP server would %s, retries the notice, then poisons it, sending it never",
    async (mode) => {
      sink.mode = mode;
      const poisoned = await peekCount(poison);
      const created = await service.call("POST", "/api/users/me/app-passwords", {
        token: alice.token,
        body: { name: `Under ${mode}` },
      });
      expect(created.status).toBe(201);
      const attemptsBefore = sink.attempts;
      const passes = [];
      for (let pass = 0; pass < 5; pass++) passes.push(await service.pollQueue("sendNotice"));
      expect(passes.map((p) => p.failed)).toEqual([1, 1, 1, 1, 0]);
      expect(passes[4]?.poisoned).toBe(1);
      expect(sink.attempts - attemptsBefore).toBe(5);
      expect(await peekCount(queue)).toBe(0);
      expect(await peekCount(poison)).toBe(poisoned + 1);
      sink.mode = "accept";
      await drain();
      expect(sink.mails).toHaveLength(0);
      expect(service.logs.some((line) => line.message.includes("-poison"))).toBe(true);
      expect(service.logs.map((line) => line.message).join("\n")).not.toContain(created.json.password as string);
    },
  );
});

describe("the queue", () => {
  it("carries each notice keyed by its activity event's id, the key that makes a redelivery send nothing", async () => {
    await service.call("POST", "/api/users/me/app-passwords", { token: alice.token, body: { name: "Keyed" } });
    const [message] = (await queue.peekMessages()).peekedMessageItems;
    const notice = JSON.parse(Buffer.from(message?.messageText ?? "", "base64").toString()) as { id: string };
    const activity = await service.call("GET", "/api/users/me/activity", { token: alice.token });
    expect((activity.json.items as { event: string; name?: string }[])[0]).toMatchObject({
      event: "created",
      name: "Keyed",
    });
    expect(notice.id).toMatch(new RegExp(`^${alice.userId}_ev_\\d+_[0-9a-f]{8}$`));
  });

  it("stays empty when no mailer is configured: notices are off, and a change costs no queue request", async () => {
    const off = await startFunctionHarness({
      env: { ...CHEAP_ARGON2_SETTINGS, NOTICES_QUEUE_CONNECTION_STRING: inject("queueConnectionString") },
    });
    try {
      await drain();
      const bob = await registeredUser(off, "bob");
      const created = await off.call("POST", "/api/users/me/app-passwords", {
        token: bob.token,
        body: { name: "Quiet" },
      });
      expect(created.status).toBe(201);
      const verified = await off.call("POST", "/api/verify", {
        body: { user: bob.loginName, password: created.json.password, clientIp: "198.51.100.78", protocol: "imap" },
      });
      expect(verified.json.valid).toBe(true);
      expect(await peekCount(queue)).toBe(0);
    } finally {
      await off.close();
    }
  });
});

describe("sent notices' ids", () => {
  it("are forgotten by the daily timer 30 days after they were sent, and kept until then", async () => {
    const { connectionString, tableName } = service.config.table as { connectionString: string; tableName: string };
    const table = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
    const day = 24 * 60 * 60 * 1000;
    const [old, recent] = [`old-${Date.now()}`, `recent-${Date.now()}`];
    await table.upsertEntity({ partitionKey: "notices-sent", rowKey: old, SentAt: new Date(Date.now() - 31 * day) });
    await table.upsertEntity({ partitionKey: "notices-sent", rowKey: recent, SentAt: new Date(Date.now() - 29 * day) });
    await service.runTimer("noticeExpiring");
    const left = async (rowKey: string) => {
      const filter = odata`PartitionKey eq ${"notices-sent"} and RowKey eq ${rowKey}`;
      for await (const entity of table.listEntities({ queryOptions: { filter } })) return entity.rowKey;
      return undefined;
    };
    expect(await left(old)).toBeUndefined();
    expect(await left(recent)).toBe(recent);
    expect(service.logs.some((line) => /forgot [1-9]\d* notices sent more than 30 days ago/.test(line.message))).toBe(
      true,
    );
  });
});

describe("expiry", () => {
  it("mails one notice seven days before an app password expires, however often the daily timer runs", async () => {
    const created = await service.call("POST", "/api/users/me/app-passwords", {
      token: alice.token,
      body: { name: "Expiring", expiresInDays: 7 },
    });
    expect(created.status).toBe(201);
    await drain();
    sink.mails.length = 0;
    await service.runTimer("noticeExpiring");
    await service.runTimer("noticeExpiring");
    await drain();
    expect(sink.mails.map((mail) => mail.subject)).toEqual(['Uw app-wachtwoord "Expiring" verloopt over 7 dagen']);
  });
});

import { randomUUID } from "node:crypto";
import { TableClient, type TransactionAction } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createArgon2Hasher } from "../../shared/adapters/argon2Hasher";
import { ADMIN_ROLES, CHEAP_ARGON2 } from "../support/constants";
import { expectProblem } from "../support/expectProblem";
import { startCountingProxy, type CountingProxy } from "../support/countingProxy";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";
import { freshTableName } from "../support/testService";

const DAY = 24 * 60 * 60 * 1000;
/** The service's clock, fixed: the seeded times are relative to it. */
const NOW = new Date("2026-06-01T12:00:00.000Z");
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const PEOPLE = 200;

/**
 * The five app passwords every person gets: never used; unused 100 days (imap); used yesterday (smtp);
 * expired yesterday (pop3); expiring in 5 days, unused 40 days (smtp). All were created 200 days ago.
 */
const KINDS = [
  {},
  { LastUsedAt: ago(100), LastUsedProtocol: "imap", LastUsedIp: "198.51.100.1" },
  { LastUsedAt: ago(1), LastUsedProtocol: "smtp", LastUsedIp: "198.51.100.2" },
  { LastUsedAt: ago(2), LastUsedProtocol: "pop3", ExpiresAt: ago(1) },
  { LastUsedAt: ago(40), LastUsedProtocol: "smtp", ExpiresAt: ago(-5), Protocols: "smtp", AllowedIps: "192.0.2.0/24" },
] as const;

interface Item {
  id: string;
  userId: string;
  loginName: string;
  name: string;
  lastUsedProtocol?: string;
  protocols?: string[];
  allowedIps?: string[];
}

describe("listInventory: GET /api/app-passwords, 1,000 app passwords of 200 people", () => {
  const tableName = freshTableName();
  let proxy: CountingProxy;
  let service: FunctionHarness;
  let adminToken: string;
  /** Login name of each seeded person, by object id. */
  const loginNames = new Map<string, string>();

  beforeAll(async () => {
    const connectionString = inject("tableConnectionString");
    const table = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
    await table.createTable();
    const hash = await createArgon2Hasher(CHEAP_ARGON2).hash("abcdabcdabcdabcd");
    // One transaction a person: their record, five app passwords and a throttling row (which is no app password).
    await Promise.all(
      Array.from({ length: PEOPLE }, async (_, i) => {
        const userId = randomUUID();
        const loginName = `${i < 100 ? "p" : "q"}${String(i).padStart(3, "0")}@inventory.example`;
        loginNames.set(userId, loginName);
        const actions: TransactionAction[] = [
          [
            "create",
            { partitionKey: userId, rowKey: "user", LoginName: loginName, RegisteredAt: ago(200), AppPasswordCount: 5 },
          ],
          ["create", { partitionKey: userId, rowKey: "throttle", UnfamiliarFailures: 1, Ips: "{}" }],
          ...KINDS.map((kind, j): TransactionAction => [
            "create",
            {
              partitionKey: userId,
              rowKey: `ap_${randomUUID().slice(0, 8)}`,
              Name: `Device ${j}`,
              Hash: hash,
              CreatedAt: ago(200),
              ...kind,
            },
          ]),
        ];
        await table.submitTransaction(actions);
        await table.createEntity({
          partitionKey: `login_${encodeURIComponent(loginName)}`,
          rowKey: "login",
          UserId: userId,
        });
      }),
    );
    proxy = await startCountingProxy(connectionString);
    service = await startFunctionHarness({
      now: () => NOW,
      env: { APP_PASSWORDS_TABLE_CONNECTION_STRING: proxy.connectionString, APP_PASSWORDS_TABLE_NAME: tableName },
    });
    adminToken = await service.token({ upn: "inventory-admin@contoso.com", oid: randomUUID(), roles: ADMIN_ROLES });
  });
  afterAll(async () => {
    await service.close();
    await proxy.close();
  });

  /** Every page of the inventory under `filter`, `limit` at a time, and the storage requests of each page. */
  async function everyPage(filter: Record<string, string>, limit = 97) {
    const items: Item[] = [];
    const requestsPerPage: number[] = [];
    let continuation: string | undefined;
    do {
      const query = new URLSearchParams({ ...filter, limit: String(limit), ...(continuation && { continuation }) });
      proxy.reset();
      const page = await service.call("GET", `/api/app-passwords?${query.toString()}`, { token: adminToken });
      expect(page.status).toBe(200);
      requestsPerPage.push(proxy.requests.length);
      const body = page.json as { items: Item[]; continuation?: string };
      expect(body.items.length).toBeLessThanOrEqual(limit);
      items.push(...body.items);
      continuation = body.continuation;
      expect(requestsPerPage.length, "pages").toBeLessThan(100);
    } while (continuation !== undefined);
    return { items, requestsPerPage };
  }

  const namesOf = (items: readonly Item[]) => new Set(items.map((item) => item.name));

  it("lists every app password once, each with its owner's login name, in pages of at most two storage requests", async () => {
    const { items, requestsPerPage } = await everyPage({});
    expect(items).toHaveLength(1000);
    expect(new Set(items.map((item) => `${item.userId}/${item.id}`)).size).toBe(1000);
    for (const item of items) expect(item.loginName).toBe(loginNames.get(item.userId));
    expect(Math.max(...requestsPerPage)).toBeLessThanOrEqual(2);
    // Pages of 97 end inside a person's partition (six rows each): their record is then read by the second request.
    expect(requestsPerPage).toContain(2);
    // 1,200 rows (records and app passwords) in pages of 97: 13 pages, then one that finds the end.
    expect(requestsPerPage.length).toBeLessThanOrEqual(14);
    const restricted = items.find((item) => item.name === "Device 4");
    expect(restricted).toMatchObject({ protocols: ["smtp"], allowedIps: ["192.0.2.0/24"], lastUsedProtocol: "smtp" });
    expect(JSON.stringify(items)).not.toContain("argon2");
  });

  it.each([
    [{ unusedForDays: "30" }, 600, ["Device 0", "Device 1", "Device 4"]],
    [{ unusedForDays: "365" }, 0, []],
    [{ expired: "true" }, 200, ["Device 3"]],
    [{ expired: "false" }, 800, ["Device 0", "Device 1", "Device 2", "Device 4"]],
    [{ expiringWithinDays: "7" }, 200, ["Device 4"]],
    [{ expiringWithinDays: "1" }, 0, []],
    [{ protocol: "smtp" }, 400, ["Device 2", "Device 4"]],
    [{ loginNamePrefix: "Q1" }, 500, ["Device 0", "Device 1", "Device 2", "Device 3", "Device 4"]],
    [{ unusedForDays: "30", protocol: "smtp", loginNamePrefix: "p00" }, 10, ["Device 4"]],
  ])("filters by %j: %i app passwords", async (filter, count, names) => {
    const { items, requestsPerPage } = await everyPage(filter, 100);
    expect(items).toHaveLength(count);
    expect([...namesOf(items)].sort()).toEqual(names);
    expect(Math.max(...requestsPerPage)).toBeLessThanOrEqual(2);
    if ("loginNamePrefix" in filter) {
      for (const item of items) expect(item.loginName.startsWith(filter.loginNamePrefix.toLowerCase())).toBe(true);
    }
  });

  it("refuses a continuation it did not hand out", async () => {
    for (const continuation of ["bm90LWpzb24", Buffer.from('{"nextPartitionKey":1}').toString("base64url")]) {
      const answer = await service.call("GET", `/api/app-passwords?continuation=${continuation}`, {
        token: adminToken,
      });
      expectProblem(answer, 400, "INVALID_CONTINUATION");
    }
  });

  it("refuses anyone but an administrator", async () => {
    const token = await service.token({ upn: "p000@inventory.example", oid: randomUUID() });
    expectProblem(await service.call("GET", "/api/app-passwords", { token }), 403, "FORBIDDEN");
  });

  it("deletes the selected through the admin delete, each audited naming the administrator", async () => {
    const { items } = await everyPage({ loginNamePrefix: "p001@" });
    const chosen = items.slice(0, 2);
    for (const item of chosen) {
      const answer = await service.call("DELETE", `/api/users/${item.userId}/app-passwords/${item.id}`, {
        token: adminToken,
      });
      expect(answer.status).toBe(204);
    }
    const left = await everyPage({ loginNamePrefix: "p001@" });
    expect(left.items).toHaveLength(3);
    const activity = await service.call("GET", `/api/users/${chosen[0]?.userId}/activity`, { token: adminToken });
    const events = activity.json.items as {
      event: string;
      by?: string;
      adminLoginName?: string;
      adminUserId?: string;
    }[];
    expect(events.filter((event) => event.event === "deleted")).toHaveLength(2);
    for (const event of events) {
      expect(event).toMatchObject({ by: "admin", adminLoginName: "inventory-admin@contoso.com" });
      expect(event.adminUserId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

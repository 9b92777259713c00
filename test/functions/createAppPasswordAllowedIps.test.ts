import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listOf, registeredUser, type RegisteredUser } from "../support/fixtures";
import { expectInvalid } from "../support/expectProblem";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";

/**
 * `allowedIps` is read by the same address module as throttling: an IPv4-mapped range is the IPv4 range it
 * means, a range that would hold every IPv4 client as IPv6 is refused, and what is stored and shown is the
 * canonical form. The review's case: `::ffff:203.0.113.7/24` was stored as an IPv6 /24, which holds all of
 * `::ffff:0:0/96`, and admitted `198.51.100.9`.
 */
describe("createAppPassword: allowedIps as one address module reads them", () => {
  let service: FunctionHarness;
  let alice: RegisteredUser;

  beforeAll(async () => {
    service = await startFunctionHarness();
    alice = await registeredUser(service, "alice");
  });
  afterAll(() => service.close());

  const create = (allowedIps: string[]) =>
    service.call("POST", "/api/users/me/app-passwords", { token: alice.token, body: { name: "Mail", allowedIps } });
  const verify = (password: string, clientIp: string) => service.verify(alice.loginName, password, { clientIp });
  const messages = (response: Awaited<ReturnType<typeof create>>) =>
    ((response.json.errors ?? []) as { field: string; message: string }[]).map((error) => error.message).join(" | ");

  it("refuses ::ffff:203.0.113.7/24 with a field error that says why, storing nothing", async () => {
    const before = (await listOf(service, alice.token)).items.length;
    const response = await create(["::ffff:203.0.113.7/24"]);
    expectInvalid(response, "allowedIps.0");
    expect(messages(response)).toMatch(/IPv4-mapped.*at least 96/);
    expect((await listOf(service, alice.token)).items).toHaveLength(before);
  });

  it("admits no 198.51.100.9 by an app password stored with ::ffff:203.0.113.7/24 before ranges were checked", async () => {
    const created = await create(["203.0.113.0/24"]);
    const password = created.json.password as string;
    expect((await verify(password, "198.51.100.9")).json).toEqual({ valid: false });
    // The row as today's main stored that request: the range as typed, lowercased.
    const { connectionString, tableName } = service.config.table as { connectionString: string; tableName: string };
    const table = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
    await table.updateEntity(
      { partitionKey: alice.userId, rowKey: `ap_${created.json.id as string}`, AllowedIps: "::ffff:203.0.113.7/24" },
      "Merge",
    );
    for (const clientIp of ["198.51.100.9", "::ffff:198.51.100.9", "203.0.113.7"]) {
      expect((await verify(password, clientIp)).json).toEqual({ valid: false });
    }
  });

  it("stores ::ffff:203.0.113.7/120 as 203.0.113.0/24: 203.0.113.9 in any spelling is admitted, 198.51.100.9 is not", async () => {
    const created = await create(["::ffff:203.0.113.7/120"]);
    expect(created.status).toBe(201);
    expect(created.json.allowedIps).toEqual(["203.0.113.0/24"]);
    const password = created.json.password as string;
    expect((await verify(password, "198.51.100.9")).json).toEqual({ valid: false });
    expect((await verify(password, "::ffff:198.51.100.9")).json).toEqual({ valid: false });
    expect((await verify(password, "203.0.113.9")).json.valid).toBe(true);
    expect((await verify(password, "::ffff:203.0.113.9")).json.valid).toBe(true);
    expect((await verify(password, "2001:db8::9")).json).toEqual({ valid: false });
  });

  it("stores and shows the canonical form with host bits masked, in the answer, the item and the list", async () => {
    const created = await create(["10.0.0.5/24", "2001:DB8:0:0::5/64", "198.51.100.7", "::1"]);
    expect(created.status).toBe(201);
    const canonical = ["10.0.0.0/24", "2001:db8::/64", "198.51.100.7/32", "::1/128"];
    expect(created.json.allowedIps).toEqual(canonical);
    const item = await service.call("GET", `/api/users/me/app-passwords/${created.json.id as string}`, {
      token: alice.token,
    });
    expect(item.json.allowedIps).toEqual(canonical);
    const listed = (await listOf(service, alice.token)).items.find((entry) => entry.id === created.json.id);
    expect(listed).toMatchObject({ allowedIps: canonical });
    expect((await verify(created.json.password as string, "10.0.0.200")).json.valid).toBe(true);
  });

  it.each([
    [["::/0"], /must not contain ::ffff:0:0\/96/],
    [["::/64"], /must not contain ::ffff:0:0\/96/],
    [["::/96"], /IPv4-compatible/],
    [["fe80::1%eth0"], /zone id/],
    [["203.0.113.0/24", "::ffff:10.0.0.0/8"], /IPv4-mapped.*at least 96/],
  ])("refuses %j with a field error that says why", async (allowedIps, reason) => {
    const response = await create(allowedIps);
    expectInvalid(response, `allowedIps.${allowedIps.length - 1}`);
    expect(messages(response)).toMatch(reason);
  });
});

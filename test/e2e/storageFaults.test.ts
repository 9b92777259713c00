import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TableClient, odata } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ADMIN_ROLES } from "../support/constants";
import { loadFunctions } from "../../dev/functionRegistry";
import { definedEndpoints } from "../../shared/adapters/defineEndpoint";
import { startAzurite, type RunningAzurite } from "../../dev/azurite";
import type { CallResult } from "../support/serviceClient";
import { startTestService, type TestService } from "../support/testService";

/**
 * Table Storage that hangs (Azurite paused with SIGSTOP) or refuses connections (Azurite stopped): every
 * endpoint answers 503 problem+json with Retry-After, verify never answers valid: true or false, nothing is
 * half-written, and the service recovers by itself when storage returns.
 */
describe("when Table Storage hangs or is down", () => {
  const location = mkdtempSync(path.join(tmpdir(), "azurite-faults-"));
  let azurite: RunningAzurite;
  let service: TestService;
  let token: string;
  let admin: string;
  let userId: string;
  let password: string;
  let someId: string;

  beforeAll(async () => {
    azurite = await startAzurite({ location });
    service = await startTestService({ env: { APP_PASSWORDS_TABLE_CONNECTION_STRING: azurite.connectionString } });
    token = await service.token({ upn: "carol@contoso.com" });
    admin = await service.token({ upn: "admin@contoso.com", roles: ADMIN_ROLES });
    const registered = await service.call("POST", "/api/users/me/registration", { token });
    userId = registered.json.userId as string;
    password = registered.json.appPassword.password as string;
    for (let i = 0; i < 3; i++) {
      const created = await service.call("POST", "/api/users/me/app-passwords", { token, body: { name: `D${i}` } });
      someId = created.json.id as string;
    }
  });
  afterAll(async () => {
    await service.close();
    await azurite.stop();
    rmSync(location, { recursive: true, force: true });
  });

  /**
   * One call to every endpoint that touches storage, all at once, built from the endpoints' definitions: a
   * new endpoint is covered without a line here. An administrator calls each on their own account (so no
   * rule refuses before storage is asked), with one of carol's ids and her login name; bodies take the fields
   * their schema names from a sample. Verify is called with her right and with a wrong password.
   */
  async function everyEndpoint(): Promise<CallResult[]> {
    await loadFunctions(path.join(__dirname, "..", "..", "functions"));
    const values: Record<string, string> = {
      user: "me",
      id: someId,
      loginName: "carol@contoso.com",
      handoffId: "A".repeat(34),
    };
    const sample: Record<string, unknown> = {
      name: "during outage",
      user: "carol@contoso.com",
      password,
      clientIp: "198.51.100.9",
      ciphertext: "A".repeat(64),
      iv: "AAAAAAAAAAAAAAAA",
      allowed: true,
      maxPerUser: 40,
      maxLifetimeDays: null,
      deleteUnusedAfterDays: null,
    };
    // Conditional writes (PUT /policy) need If-Match; `*` gets them past that check to storage.
    const ifMatch = { "if-match": "*" };
    const calls = definedEndpoints()
      .filter((endpoint) => endpoint.touchesStorage)
      .map((endpoint) => {
        const route = endpoint.route.replace(/\{(\w+)\??\}/g, (_, name: string) => values[name] ?? name);
        const fields = endpoint.body instanceof z.ZodObject ? Object.keys(endpoint.body.shape) : [];
        const body = Object.fromEntries(
          fields.filter((field) => field in sample).map((field) => [field, sample[field]]),
        );
        return endpoint.caller === "functionKey"
          ? service.call(endpoint.method, `/api/${route}`, {
              body,
              headers: { "x-functions-key": service.functionKey, ...ifMatch },
            })
          : service.call(endpoint.method, `/api/${route}`, {
              token: admin,
              headers: ifMatch,
              ...(endpoint.body && { body }),
            });
      });
    expect(calls.length).toBeGreaterThanOrEqual(11);
    return Promise.all([...calls, service.verify("carol@contoso.com", "wrongwrongwrongw")]);
  }

  function expectAllUnavailable(responses: CallResult[]) {
    for (const response of responses) {
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.json.code).toBe("STORAGE_UNAVAILABLE");
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(response.json).not.toHaveProperty("valid");
    }
  }

  /** The user's count and their app password rows agree, read straight from the table. */
  async function expectConsistent() {
    const table = TableClient.fromConnectionString(azurite.connectionString, service.config.table.tableName, {
      allowInsecureConnection: true,
    });
    const record = await table.getEntity<{ AppPasswordCount: number }>(userId, "user");
    let rows = 0;
    for await (const entity of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${userId}` } })) {
      if (entity.rowKey?.startsWith("ap_")) rows++;
    }
    expect(record.AppPasswordCount).toBe(rows);
    return rows;
  }

  it("answers 503 with Retry-After from every endpoint while storage hangs, and recovers when it resumes", async () => {
    azurite.process.kill("SIGSTOP");
    try {
      expectAllUnavailable(await everyEndpoint());
    } finally {
      azurite.process.kill("SIGCONT");
    }
    expect((await service.verify("carol@contoso.com", password)).json.valid).toBe(true);
    const list = await service.call("GET", "/api/users/me/app-passwords", { token });
    expect(list.status).toBe(200);
    // Writes that reached storage before the pause may complete after it; either way they are whole.
    expect(list.json.count).toBe(await expectConsistent());
  });

  it("answers 503 from every endpoint while storage refuses connections, and recovers when it is back", async () => {
    const before = await expectConsistent();
    const port = azurite.port;
    await azurite.stop();
    expectAllUnavailable(await everyEndpoint());
    azurite = await startAzurite({ location, port });
    expect((await service.verify("carol@contoso.com", password)).json.valid).toBe(true);
    expect(await expectConsistent()).toBe(before);
    const created = await service.call("POST", "/api/users/me/app-passwords", { token, body: { name: "after" } });
    expect(created.status).toBe(201);
    expect(await expectConsistent()).toBe(before + 1);
  });
});

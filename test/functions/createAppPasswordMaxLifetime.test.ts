import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredUser } from "../support/fixtures";
import { expectProblem, fieldsOf } from "../support/expectProblem";
import { startFunctionHarness, type FunctionHarness } from "../support/functionHarness";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("createAppPassword under APP_PASSWORDS_MAX_LIFETIME_DAYS", () => {
  let capped: FunctionHarness;

  beforeAll(async () => {
    capped = await startFunctionHarness({ env: { APP_PASSWORDS_MAX_LIFETIME_DAYS: "30" } });
  });
  afterAll(() => capped.close());

  const create = (body: unknown, token: string) => capped.call("POST", "/api/users/me/app-passwords", { token, body });

  it("gives the tenant's longest lifetime when none is asked for", async () => {
    const bob = await registeredUser(capped, "bob");
    const response = await create({ name: "Default" }, bob.token);
    const lifetime = Date.parse(response.json.expiresAt as string) - Date.parse(response.json.createdAt as string);
    expect(lifetime).toBe(30 * DAY_MS);
  });

  it("returns 400 LIFETIME_TOO_LONG naming expiresInDays beyond the tenant's longest lifetime", async () => {
    const bob = await registeredUser(capped, "bob");
    const response = await create({ name: "Long", expiresInDays: 31 }, bob.token);
    expectProblem(response, 400, "LIFETIME_TOO_LONG");
    expect(fieldsOf(response)).toEqual(["expiresInDays"]);
    expect(response.json.maxDays).toBe(30);
  });

  it("gives the first app password at registration the same lifetime", async () => {
    const carol = await registeredUser(capped, "carol");
    const [item] = (await capped.call("GET", "/api/users/me/app-passwords", { token: carol.token })).json.items;
    expect(Date.parse(item.expiresAt as string) - Date.parse(item.createdAt as string)).toBe(30 * DAY_MS);
  });
});

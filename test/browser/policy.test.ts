import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ROLES } from "../support/constants";
import { expectAccessible, screenshot, signInAs } from "../support/browser";
import { uniqueLogin } from "../support/fixtures";
import { portalUnderTest } from "../support/portalUnderTest";

/**
 * The tenant policy on the self-service page in Debian's Chromium: an administrator edits it, and a person's
 * open page says what applies, and that app passwords are off, once the service applies the change. The
 * service applies a change within 1 s here (APP_PASSWORDS_POLICY_REFRESH_SECONDS), so the page re-reads that often.
 */
describe("the tenant policy on the self-service page", () => {
  const portal = portalUnderTest({ env: { APP_PASSWORDS_POLICY_REFRESH_SECONDS: "1" } });
  let person: Page;
  let admin: Page;

  /** Signs in a fresh person (or administrator) on a tab of their own, past the first password's dialog. */
  async function signedIn(prefix: string, options: { admin?: boolean } = {}) {
    const page = await portal.open();
    await signInAs(page, uniqueLogin(prefix), options);
    await page.getByRole("button", { name: "Done" }).click();
    return page;
  }

  beforeAll(async () => {
    person = await signedIn("person");
    admin = await signedIn("admin", { admin: true });
    await admin.getByRole("tab", { name: "Find a person" }).click();
    await admin.getByRole("heading", { name: "Policy for app passwords" }).waitFor();
  });
  afterAll(async () => {
    await person.close();
    await admin.close();
  });

  it("shows the person what applies, and the administrator the policy from the app settings", async () => {
    await person.getByText("You can have at most 40 app passwords.").waitFor();
    await admin.getByText("nobody has saved a policy here yet").waitFor();
    expect(await admin.getByLabel("Most app passwords per person (1–99)").inputValue()).toBe("40");
    await expectAccessible(admin);
    await expectAccessible(person);
  });

  it("turned off by an administrator, the person's open page says so after the refresh, without a reload", async () => {
    await person.getByRole("button", { name: "Create" }).waitFor();
    await admin.getByRole("switch", { name: "People may create and manage their own app passwords" }).click();
    await admin.getByLabel("Longest lifetime in days (1–365)").fill("90");
    await admin.getByRole("button", { name: "Save policy" }).click();
    await admin.getByText("Policy saved.").first().waitFor();
    await admin.getByText(/^Saved by admin-/).waitFor();

    await person.getByText("App passwords are turned off").waitFor();
    expect(await person.getByRole("button", { name: "Create" }).count()).toBe(0);
    await expectAccessible(person);
    await screenshot(person, "policy-off");
    await screenshot(admin, "policy-editor");
  });

  it("tells an administrator whose save came second that someone else changed it, and shows theirs", async () => {
    await admin.getByLabel("Most app passwords per person (1–99)").fill("12");
    // Another administrator saves first, through the API.
    const other = await portal.service.token({ upn: uniqueLogin("other-admin"), roles: ADMIN_ROLES });
    const saved = await portal.service.call("PUT", "/api/policy", {
      token: other,
      headers: { "if-match": "*" },
      body: { allowed: true, maxPerUser: 20, maxLifetimeDays: 90, deleteUnusedAfterDays: null },
    });
    expect(saved.status).toBe(200);

    await admin.getByRole("button", { name: "Save policy" }).click();
    await admin.getByText("Someone else changed the policy").waitFor();
    await admin.getByText(/^Saved by other-admin-/).waitFor();
    expect(await admin.getByLabel("Most app passwords per person (1–99)").inputValue()).toBe("20");
    await expectAccessible(admin);

    // Turned back on, the person's page offers Create again and says what applies now.
    await person.getByText("You can have at most 20 app passwords. Each one stops working at most 90 days").waitFor();
    await person.getByRole("button", { name: "Create" }).waitFor();
  });

  it("refuses a number out of range before sending it", async () => {
    await admin.getByLabel("Most app passwords per person (1–99)").fill("100");
    await admin.getByText("Enter a whole number from 1 to 99.").waitFor();
    expect(await admin.getByRole("button", { name: "Save policy" }).getAttribute("aria-disabled")).toBe("true");
  });
});

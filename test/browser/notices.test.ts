import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../dev/azurite";
import { expectAccessible, settled, row, screenshot, signInAs } from "../support/browser";
import { uniqueLogin } from "../support/fixtures";
import { portalUnderTest } from "../support/portalUnderTest";

/**
 * What the page says when the service refuses: the per-user limit, the tenant policy off, storage down (503).
 * One service at a time (a process holds one service configuration), each with the setting under test.
 */
describe("the self-service page's notices", () => {
  describe("with at most 2 app passwords per person", () => {
    const limited = portalUnderTest({ env: { APP_PASSWORDS_MAX_PER_USER: "2" } });

    it("at the limit, explains that one must be deleted first and keeps Create from opening", async () => {
      const page = await limited.open();
      await signInAs(page, uniqueLogin("limit"));
      await page.getByRole("button", { name: "Done" }).click();
      await page.getByRole("button", { name: "Create" }).click();
      await page.getByRole("dialog").getByRole("textbox", { name: "Name" }).fill("Second");
      await page.getByRole("button", { name: "Next" }).click();
      await page.getByRole("button", { name: "Done" }).click();
      await row(page, "Second").waitFor();
      await page.getByRole("dialog").waitFor({ state: "detached" });

      await page.getByText("You have reached the limit").waitFor();
      await page.getByText("Delete one you no longer use before you create another.").waitFor();
      const create = page.getByRole("button", { name: "Create" });
      expect(await create.getAttribute("aria-disabled")).toBe("true");
      await create.click({ force: true });
      await settled(page);
      expect(await page.getByRole("dialog").count()).toBe(0);
      await expectAccessible(page);
      await screenshot(page, "limit");

      await page.getByRole("button", { name: "Delete Second" }).click();
      await page.getByRole("button", { name: "Yes" }).click();
      await row(page, "Second").waitFor({ state: "detached" });
      await page.getByText("You have reached the limit").waitFor({ state: "detached" });
      expect(await create.getAttribute("aria-disabled")).not.toBe("true");
      await page.close();
    });
  });

  describe("with the tenant policy off", () => {
    const policyOff = portalUnderTest({ env: { APP_PASSWORDS_ALLOWED: "false" } });

    it("says so plainly when the tenant policy turns app passwords off", async () => {
      const page = await policyOff.open();
      await signInAs(page, uniqueLogin("policy"));
      await page.getByText("App passwords are turned off").waitFor();
      await page.getByText("Your organization does not allow app passwords").waitFor();
      expect(await page.getByRole("button", { name: "Create" }).count()).toBe(0);
      expect(await page.getByRole("alertdialog").count()).toBe(0);
      await expectAccessible(page);
      await page.close();
    });
  });

  describe("when storage goes down", () => {
    const storage = mkdtempSync(path.join(tmpdir(), "azurite-portal-"));
    let fragileAzurite: RunningAzurite;
    beforeAll(async () => {
      fragileAzurite = await startAzurite({ location: storage });
    });
    afterAll(async () => {
      await fragileAzurite.stop();
      rmSync(storage, { recursive: true, force: true });
    });
    // After the Azurite above has started, and (after hooks run in reverse) closed before it stops.
    const fragile = portalUnderTest({
      env: () => ({ APP_PASSWORDS_TABLE_CONNECTION_STRING: fragileAzurite.connectionString }),
    });

    it("asks to try again shortly while storage is down (503), and recovers with Try again", async () => {
      const page = await fragile.open();
      await signInAs(page, uniqueLogin("outage"));
      await page.getByRole("button", { name: "Done" }).click();
      await row(page, "Initial app password").waitFor();

      const port = fragileAzurite.port;
      await fragileAzurite.stop();
      try {
        await page.reload();
        await page.getByText("The service is unavailable right now").waitFor();
        await page.getByText("Please try again shortly.").waitFor();
        await expectAccessible(page);
      } finally {
        fragileAzurite = await startAzurite({ location: storage, port });
      }
      await page.getByRole("button", { name: "Try again" }).click();
      await row(page, "Initial app password").waitFor();
      expect(await page.getByText("The service is unavailable right now").count()).toBe(0);
      await page.close();
    });
  });
});

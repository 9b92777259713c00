import { describe, expect, it } from "vitest";
import {
  expectAccessible,
  expectGone,
  focusedText,
  row,
  screenshot,
  shownPassword,
  signInAs,
  tabTo,
} from "../support/browser";
import { uniqueLogin } from "../support/fixtures";
import { portalUnderTest } from "../support/portalUnderTest";

/**
 * The person's flows on the self-service page in Debian's Chromium, served by the local host beside the API,
 * against Azurite: sign in, the first app password, create (mouse and keyboard), copy, delete; each main
 * screen passes an axe-core check.
 */
describe("the self-service page, for the person", () => {
  const portal = portalUnderTest();

  it("greets a newcomer with the Sign in as form, which passes the axe check", async () => {
    const page = await portal.open();
    await page.getByRole("button", { name: "Sign in as" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "sign-in");
    await page.close();
  });

  it("registers on the first visit and shows the initial app password once, gone after Done and a reload", async () => {
    const login = uniqueLogin("first");
    const page = await portal.open();
    await signInAs(page, login);
    const dialog = page.getByRole("alertdialog", { name: "Your first app password" });
    await dialog.waitFor();
    await expect.poll(() => dialog.getByText("will not be shown again").count()).toBe(1);
    const { password } = await shownPassword(page);
    await expectAccessible(page);
    expect((await portal.service.verify(login, password, { clientIp: "198.51.100.1" })).json.valid).toBe(true);

    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "detached" });
    await row(page, "Initial app password").waitFor();
    await expectGone(page, password);
    await page.reload();
    await row(page, "Initial app password").waitFor();
    expect(await page.getByRole("alertdialog").count()).toBe(0);
    await expectGone(page, password);
    await page.close();
  });

  it("creates one: Create → name → Next → Copy puts it on the clipboard → Done removes it for good", async () => {
    const login = uniqueLogin("create");
    const page = await portal.open();
    await signInAs(page, login);
    await page.getByRole("button", { name: "Done" }).click();
    await row(page, "Initial app password").waitFor();
    await expectAccessible(page);
    await screenshot(page, "app-passwords");

    await page.getByRole("button", { name: "Create" }).click();
    const dialog = page.getByRole("dialog", { name: "Create an app password" });
    await dialog.getByRole("textbox", { name: "Name" }).fill("Alice's iPhone");
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Next" }).click();

    const shown = page.getByRole("alertdialog", { name: "Your new app password for Alice's iPhone" });
    await shown.waitFor();
    const { password } = await shownPassword(page);
    await shown.getByRole("button", { name: "Copy" }).click();
    await shown.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(password);
    await expectAccessible(page);
    await screenshot(page, "new-app-password");
    expect((await portal.service.verify(login, password, { clientIp: "198.51.100.2" })).json.valid).toBe(true);

    await shown.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "detached" });
    await row(page, "Alice's iPhone").waitFor();
    await expectGone(page, password);
    await page.reload();
    await row(page, "Alice's iPhone").waitFor();
    await expectGone(page, password);
    expect(portal.browser.cspViolations).toEqual([]);
    await page.close();
  });

  it("creates one with the keyboard alone, and focus returns to Create after Done", async () => {
    const login = uniqueLogin("keys");
    const page = await portal.open();
    await page.getByLabel("Login name").waitFor();
    await tabTo(page, "");
    await page.keyboard.type(login);
    await tabTo(page, "Sign in as");
    await page.keyboard.press("Enter");
    await page.getByRole("alertdialog", { name: "Your first app password" }).waitFor();
    await tabTo(page, "Done");
    await page.keyboard.press("Enter");
    await row(page, "Initial app password").waitFor();

    await tabTo(page, "Create");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Create an app password" });
    await dialog.waitFor();
    await expect.poll(() => page.evaluate("document.activeElement?.closest('[role=dialog]') !== null")).toBe(true);
    for (let presses = 0; !(await page.evaluate<boolean>("document.activeElement?.tagName === 'INPUT'")); presses++) {
      expect(presses, "the Name field is reachable with Tab").toBeLessThan(10);
      await page.keyboard.press("Tab");
    }
    await page.keyboard.type("Keyboard laptop");
    await page.keyboard.press("Enter");
    const shown = page.getByRole("alertdialog", { name: "Your new app password for Keyboard laptop" });
    await shown.waitFor();
    const { password } = await shownPassword(page);
    await tabTo(page, "Copy");
    await page.keyboard.press("Enter");
    await shown.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(password);
    await tabTo(page, "Done");
    await page.keyboard.press("Enter");
    await shown.waitFor({ state: "detached" });
    await row(page, "Keyboard laptop").waitFor();
    await expect.poll(() => focusedText(page)).toBe("Create");
    await expectGone(page, password);
    await page.close();
  });

  it("deletes one only after Are you sure… Yes; No keeps it", async () => {
    const login = uniqueLogin("delete");
    const page = await portal.open();
    await signInAs(page, login);
    const { password } = await shownPassword(page);
    await page.getByRole("button", { name: "Done" }).click();
    await row(page, "Initial app password").waitFor();

    await page.getByRole("button", { name: "Delete Initial app password" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Delete Initial app password?" });
    await confirm.getByText("Are you sure").waitFor();
    await expectAccessible(page);
    await screenshot(page, "confirm-delete");
    await confirm.getByRole("button", { name: "No" }).click();
    await confirm.waitFor({ state: "detached" });
    await row(page, "Initial app password").waitFor();
    await expect.poll(() => focusedText(page)).toBe("Delete");
    expect((await portal.service.verify(login, password, { clientIp: "198.51.100.3" })).json.valid).toBe(true);

    await page.getByRole("button", { name: "Delete Initial app password" }).click();
    await confirm.getByRole("button", { name: "Yes" }).click();
    await page.getByText("You have no app passwords.").waitFor();
    await page.getByText("Deleted Initial app password").first().waitFor(); // the toast, and its copy read out
    expect((await portal.service.verify(login, password, { clientIp: "198.51.100.3" })).json.valid).toBe(false);
    await page.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { expectAccessible, row, signInAs } from "../support/browser";
import { uniqueLogin } from "../support/fixtures";
import { portalUnderTest } from "../support/portalUnderTest";

/** The person deletes all of their own app passwords in one step, after "Are you sure…?", in Chromium. */
describe("the self-service page: Delete all of mine", () => {
  const portal = portalUnderTest();
  const login = uniqueLogin("revoke");
  let page: Page;
  const passwords: string[] = [];

  beforeAll(async () => {
    page = await portal.open();
    await signInAs(page, login);
    await page.getByRole("button", { name: "Done" }).click();
    await row(page, "Initial app password").waitFor();
    const token = await portal.service.token({ upn: login });
    for (const name of ["Phone", "Tablet"]) {
      const created = await portal.service.call("POST", "/api/users/me/app-passwords", { token, body: { name } });
      expect(created.status).toBe(201);
      passwords.push(created.json.password as string);
    }
    await page.reload();
    await row(page, "Tablet").waitFor();
  });
  afterAll(() => page.close());

  it("asks first, and No keeps every app password", async () => {
    await page.getByRole("button", { name: "Delete all" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Delete all your app passwords?" });
    await confirm.getByText("Are you sure you want to delete all 3 of your app passwords?").waitFor();
    await expectAccessible(page);
    await confirm.getByRole("button", { name: "No" }).click();
    await confirm.waitFor({ state: "detached" });
    // The dialog's modal hides the rest of the page from the accessibility tree until it has gone: wait for the rows.
    for (const name of ["Initial app password", "Phone", "Tablet"])
      await expect.poll(() => row(page, name).count()).toBe(1);
    const token = await portal.service.token({ upn: login });
    expect((await portal.service.call("GET", "/api/users/me/app-passwords", { token })).json.count).toBe(3);
  });

  it("Yes deletes them all: the list is empty and none of them verifies any more", async () => {
    await page.getByRole("button", { name: "Delete all" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Delete all your app passwords?" });
    await confirm.getByRole("button", { name: "Yes" }).click();
    await page.getByText("You have no app passwords.").waitFor();
    expect(await page.getByRole("button", { name: "Delete all" }).count()).toBe(0);
    await expectAccessible(page);
    const token = await portal.service.token({ upn: login });
    expect((await portal.service.call("GET", "/api/users/me/app-passwords", { token })).json.count).toBe(0);
    for (const password of passwords) {
      expect((await portal.service.verify(login, password, { clientIp: "198.51.100.20" })).json.valid).toBe(false);
    }
  });
});

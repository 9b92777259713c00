import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devObjectId } from "../../dev/devTokenIssuer";
import { expectAccessible, row, screenshot, signInAs } from "../support/browser";
import { countedWrongPasswords } from "../support/countedWrongPasswords";
import { uniqueLogin } from "../support/fixtures";
import { portalUnderTest } from "../support/portalUnderTest";

/**
 * The admin view of the self-service page in Debian's Chromium: find a person, see their app passwords, reset
 * their verify throttling, delete one and then all, each with confirmation.
 */
describe("the self-service page, for an administrator", () => {
  const portal = portalUnderTest();

  const person = uniqueLogin("person");
  const personId = devObjectId(person);
  let personPassword: string;
  let page: Page;

  beforeAll(async () => {
    // The person as the page signs them in: the development issuer's object id for their login name.
    const token = await portal.service.token({ upn: person });
    const registered = await portal.service.call("POST", "/api/users/me/registration", { token });
    personPassword = registered.json.appPassword.password as string;
    for (const name of ["Phone", "Tablet"]) {
      const created = await portal.service.call("POST", "/api/users/me/app-passwords", { token, body: { name } });
      expect(created.status).toBe(201);
    }
    page = await portal.open();
    await signInAs(page, uniqueLogin("admin"), { admin: true });
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("tab", { name: "Find a person" }).click();
    await page.getByLabel("Login name or object id").fill(personId);
    await page.getByRole("button", { name: "Find" }).click();
    await row(page, "Tablet").waitFor();
  });
  afterAll(() => page.close());

  it("finds the person and sees their app passwords, with an accessible admin view", async () => {
    for (const name of ["Initial app password", "Phone", "Tablet"]) expect(await row(page, name).count()).toBe(1);
    await expectAccessible(page);
    await screenshot(page, "admin");
  });

  it("resets the person's verify throttling", async () => {
    const attacker = "203.0.113.77";
    const nextWrong = countedWrongPasswords(portal.service, personId);
    let throttled = false;
    for (let failures = 0; !throttled; failures++) {
      expect(failures, "a lockout within 100 failures").toBeLessThan(100);
      throttled = (await portal.service.verify(person, await nextWrong(), { clientIp: attacker })).status === 429;
    }
    expect((await portal.service.verify(person, personPassword, { clientIp: attacker })).status).toBe(429);

    await page.getByRole("button", { name: "Reset sign-in throttling" }).click();
    await page.getByText(`Sign-ins of ${personId} are no longer paused`).first().waitFor();
    expect((await portal.service.verify(person, personPassword, { clientIp: attacker })).json.valid).toBe(true);
  });

  it("deletes one of theirs after confirmation", async () => {
    await page.getByRole("button", { name: "Delete Phone" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Delete Phone?" });
    await confirm.getByText("Are you sure").waitFor();
    await confirm.getByRole("button", { name: "Yes" }).click();
    // The dialog closes once the delete is done; while it is open, the modal hides the rows from lookups.
    await confirm.waitFor({ state: "detached" });
    await row(page, "Tablet").waitFor();
    await row(page, "Phone").waitFor({ state: "detached" });
    const token = await portal.service.token({ upn: person });
    const left = await portal.service.call("GET", "/api/users/me/app-passwords", { token });
    const items = left.json.items as { name: string }[];
    expect(items.map((item) => item.name).sort()).toEqual(["Initial app password", "Tablet"]);
  });

  it("deletes all of theirs after confirmation, and their passwords stop working", async () => {
    await page.getByRole("button", { name: "Delete all" }).click();
    const confirm = page.getByRole("alertdialog", { name: `Delete all app passwords of ${personId}?` });
    await confirm.getByText("Are you sure you want to delete all 2 app passwords").waitFor();
    await expectAccessible(page);
    await confirm.getByRole("button", { name: "Yes" }).click();
    await page.getByText(`${personId} has no app passwords.`).waitFor();
    const token = await portal.service.token({ upn: person });
    expect((await portal.service.call("GET", "/api/users/me/app-passwords", { token })).json.count).toBe(0);
    expect((await portal.service.verify(person, personPassword, { clientIp: "198.51.100.9" })).json.valid).toBe(false);
  });
});

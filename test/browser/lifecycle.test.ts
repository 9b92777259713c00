import { describe, expect, it } from "vitest";
import { expectAccessible, row, screenshot, signInAs } from "../support/browser";
import { uniqueLogin } from "../support/fixtures";
import { portalUnderTest } from "../support/portalUnderTest";

/**
 * The page's side of the lifecycle API (DESIGN.md "Restrictions and lifetime", "Activity", rename, admins by
 * login name): what the page offers once the service's OpenAPI document lists it. Written against the
 * contract; it passes once the service implements that part of it.
 */
describe("the self-service page with the lifecycle API", () => {
  const portal = portalUnderTest();

  /** The person's items as the API lists them. */
  async function itemsOf(login: string) {
    const token = await portal.service.token({ upn: login });
    const list = await portal.service.call("GET", "/api/users/me/app-passwords", { token });
    expect(list.status).toBe(200);
    return list.json.items as { id: string; name: string; expiresAt?: string; protocols?: string[] }[];
  }

  it("creates one with an expiry and protocols, and lists both", async () => {
    const login = uniqueLogin("restrict");
    const page = await portal.open();
    await signInAs(page, login);
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: "Create" }).click();
    const dialog = page.getByRole("dialog", { name: "Create an app password" });
    await dialog.getByRole("textbox", { name: "Name" }).fill("Mail on the phone");
    await dialog.getByLabel("Expires").selectOption({ label: "In 30 days" });
    await dialog.getByLabel("IMAP").check();
    await dialog.getByLabel("SMTP").check();
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Done" }).click();

    const created = row(page, "Mail on the phone");
    await created.getByText("IMAP, SMTP").waitFor();
    const item = (await itemsOf(login)).find((candidate) => candidate.name === "Mail on the phone");
    expect(item?.protocols?.sort()).toEqual(["imap", "smtp"]);
    const days = (Date.parse(item?.expiresAt ?? "") - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    expect(await created.getByText("Never").count()).toBe(1); // last used; the expiry is a date
    await page.close();
  });

  it("shows when, from where and over which protocol each was last used", async () => {
    const login = uniqueLogin("lastused");
    const page = await portal.open();
    await signInAs(page, login);
    const password = ((await page.getByTestId("new-password").textContent()) ?? "").replace(/ /g, "");
    await page.getByRole("button", { name: "Done" }).click();
    const verified = await portal.service.verify(login, password, { clientIp: "198.51.100.42", protocol: "imap" });
    expect(verified.json.valid).toBe(true);
    await page.reload();
    await row(page, "Initial app password").getByText("from 198.51.100.42 over IMAP").waitFor();
    await page.close();
  });

  it("renames one in place, with Enter to save and Escape to cancel", async () => {
    const login = uniqueLogin("rename");
    const page = await portal.open();
    await signInAs(page, login);
    await page.getByRole("button", { name: "Done" }).click();

    await page.getByRole("button", { name: "Rename Initial app password" }).click();
    await page.getByLabel("New name for Initial app password").fill("Not this");
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Rename Initial app password" }).waitFor();

    await page.getByRole("button", { name: "Rename Initial app password" }).click();
    await page.getByLabel("New name for Initial app password").fill("Work laptop");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Rename Work laptop" }).waitFor();
    expect((await itemsOf(login)).map((item) => item.name)).toEqual(["Work laptop"]);
    await page.close();
  });

  it("shows the person's activity, newest first", async () => {
    const login = uniqueLogin("activity");
    const page = await portal.open();
    await signInAs(page, login);
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: "Rename Initial app password" }).click();
    await page.getByLabel("New name for Initial app password").fill("Renamed one");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Rename Renamed one" }).waitFor();

    await page.getByRole("tab", { name: "Your activity" }).click();
    const activity = page.getByRole("table", { name: "Your activity" });
    await activity.waitFor();
    const events = await activity.getByRole("row").allInnerTexts();
    // Below the header, the rename first: newest first.
    expect(events[1]).toContain("Renamed");
    expect(events.slice(2).some((text) => text.includes("Created"))).toBe(true);
    await expectAccessible(page);
    await screenshot(page, "activity");
    await page.close();
  });

  it("lets an administrator find a person by login name in any case, with their activity", async () => {
    const person = uniqueLogin("found");
    const token = await portal.service.token({ upn: person });
    expect((await portal.service.call("POST", "/api/users/me/registration", { token })).status).toBe(201);

    const page = await portal.open();
    await signInAs(page, uniqueLogin("admin"), { admin: true });
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("tab", { name: "Find a person" }).click();
    await page.getByLabel("Login name or object id").fill(person.toUpperCase());
    await page.getByRole("button", { name: "Find" }).click();
    await row(page, "Initial app password").waitFor();
    const activity = page.getByRole("table", { name: `Activity of ${person.toUpperCase()}` });
    await activity.getByText("Created").first().waitFor();
    await expectAccessible(page);

    await page.getByRole("button", { name: "Delete all" }).click();
    await page.getByRole("button", { name: "Yes" }).click();
    await page.getByText(`${person.toUpperCase()} has no app passwords.`).waitFor();
    expect(await itemsOf(person)).toEqual([]);
    await page.close();
  });

  it("keeps the longest name a person can give inside its column, in the list and in the activity", async () => {
    const login = uniqueLogin("longname");
    const token = await portal.service.token({ upn: login });
    expect((await portal.service.call("POST", "/api/users/me/registration", { token })).status).toBe(201);
    const name = "W".repeat(128); // no space to break at, and the widest letter
    const created = await portal.service.call("POST", "/api/users/me/app-passwords", { token, body: { name } });
    expect(created.status).toBe(201);

    const page = await portal.open();
    await signInAs(page, login);
    await row(page, name).waitFor();
    await page.getByRole("tab", { name: "Your activity" }).click();
    await page.getByRole("table", { name: "Your activity" }).getByText(name).waitFor();
    await page.getByRole("tab", { name: "Your app passwords" }).click();
    await row(page, name).waitFor();
    // Every cell's content ends inside its cell, and no table is wider than the page.
    // In the page, as text: the tests' own TypeScript knows no DOM.
    const overflowing = () =>
      page.evaluate<string[]>(`[...document.querySelectorAll("td")].flatMap((cell) =>
        [...cell.querySelectorAll("*")]
          .filter((inner) => inner.getBoundingClientRect().right > cell.getBoundingClientRect().right + 1)
          .map((inner) => (inner.textContent ?? "").slice(0, 20)))`);
    const tableWiderThanPage = () =>
      page.evaluate<boolean>(`[...document.querySelectorAll("table")].some((table) => table.scrollWidth > innerWidth)`);
    expect(await overflowing()).toEqual([]);
    expect(await tableWiderThanPage()).toBe(false);
    await page.getByRole("tab", { name: "Your activity" }).click();
    await page.getByRole("table", { name: "Your activity" }).getByText(name).waitFor();
    expect(await overflowing()).toEqual([]);
    expect(await tableWiderThanPage()).toBe(false);
    await page.close();
  });

  it("pages through 61 events to the oldest, and shows a rename's previous name", async () => {
    const login = uniqueLogin("paging");
    const token = await portal.service.token({ upn: login });
    const registration = await portal.service.call("POST", "/api/users/me/registration", { token });
    expect(registration.status).toBe(201);
    const id = (registration.json.appPassword as { id: string }).id;
    for (let index = 1; index <= 60; index++) {
      const renamed = await portal.service.call("PATCH", `/api/users/me/app-passwords/${id}`, {
        token,
        body: { name: `Name ${index}` },
      });
      expect(renamed.status).toBe(200);
    }

    const page = await portal.open();
    await signInAs(page, login);
    await page.getByRole("tab", { name: "Your activity" }).click();
    const activity = page.getByRole("table", { name: "Your activity" });
    await activity.getByText("Renamed from Name 59").waitFor();
    const older = page.getByRole("button", { name: "Show older activity" });
    await older.click();
    await activity.getByText("Created").waitFor();
    expect(await older.count()).toBe(0);
    // The header row, then every event once: 60 renames and the creation.
    expect(await activity.getByRole("row").count()).toBe(62);
    await page.close();
  });
});

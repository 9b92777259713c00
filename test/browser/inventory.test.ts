import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { TableClient, type TransactionAction } from "@azure/data-tables";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectAccessible, screenshot, signInAs } from "../support/browser";
import { ADMIN_ROLES } from "../support/constants";
import { freshTableName } from "../support/testService";
import { portalUnderTest } from "../support/portalUnderTest";

const DAY = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

/**
 * The admin view "All app passwords" in Debian's Chromium: filter the unused ones, download them as CSV, and
 * delete two selected, confirmed; each deletion in its owner's activity naming the administrator.
 */
describe("the self-service page: all app passwords of the organization", () => {
  const tableName = freshTableName();
  const portal = portalUnderTest({ env: { APP_PASSWORDS_TABLE_NAME: tableName } });
  const admin = `inventory-admin-${randomUUID().slice(0, 8)}@contoso.com`;
  const people = [
    { userId: randomUUID(), loginName: "ann@inventory.example", devices: ["Old phone", "Old laptop"] },
    { userId: randomUUID(), loginName: "bob@inventory.example", devices: ["Old tablet"] },
  ];
  let page: Page;

  beforeAll(async () => {
    // Made 100 days ago and never used since: what a clock in the test cannot make through the API.
    const table = TableClient.fromConnectionString(inject("tableConnectionString"), tableName, {
      allowInsecureConnection: true,
    });
    await table.createTable();
    for (const person of people) {
      const actions: TransactionAction[] = [
        [
          "create",
          {
            partitionKey: person.userId,
            rowKey: "user",
            LoginName: person.loginName,
            RegisteredAt: ago(100),
            AppPasswordCount: person.devices.length,
          },
        ],
        ...person.devices.map((name, i): TransactionAction => [
          "create",
          { partitionKey: person.userId, rowKey: `ap_0000000${i}`, Name: name, Hash: "unused", CreatedAt: ago(100) },
        ]),
      ];
      await table.submitTransaction(actions);
    }
    // One in use today, which the filter leaves out.
    const token = await portal.service.token({ upn: "carol@inventory.example" });
    await portal.service.call("POST", "/api/users/me/registration", { token });
    expect(
      (await portal.service.call("POST", "/api/users/me/app-passwords", { token, body: { name: "New phone" } })).status,
    ).toBe(201);

    page = await portal.open();
    await signInAs(page, admin, { admin: true });
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("tab", { name: "Find a person" }).click();
    await page.getByRole("heading", { name: "All app passwords" }).waitFor();
  });
  afterAll(() => page.close());

  const table = () => page.getByRole("table", { name: "All app passwords" });
  const rowOf = (name: string) => table().getByRole("row").filter({ hasText: name });

  it("shows everyone's app passwords with their login names, accessibly", async () => {
    await rowOf("New phone").waitFor();
    expect(await rowOf("Old laptop").getByText("ann@inventory.example").count()).toBe(1);
    expect(await rowOf("Old tablet").getByText("bob@inventory.example").count()).toBe(1);
    await expectAccessible(page);
    await screenshot(page, "all-app-passwords");
  });

  it("filters the ones unused for 30 days, and sorts them by name", async () => {
    await page.getByLabel("Unused for at least (days)").fill("30");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await rowOf("New phone").waitFor({ state: "detached" });
    await page.getByText("3 app passwords shown").waitFor();
    await table().getByRole("columnheader", { name: "Name" }).click();
    const names = await table().getByRole("row").allInnerTexts();
    const order = ["Old laptop", "Old phone", "Old tablet"].map((name) => names.findIndex((row) => row.includes(name)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    await expectAccessible(page);
  });

  it("downloads what is shown as CSV", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("app-passwords.csv");
    const csv = readFileSync(await download.path(), "utf8");
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe(
      "loginName,name,createdAt,expiresAt,lastUsedAt,lastUsedIp,lastUsedProtocol,protocols,allowedIps,userId,id",
    );
    expect(lines).toHaveLength(4);
    expect(csv).toContain('"ann@inventory.example","Old phone"');
    expect(csv).not.toContain("New phone");
  });

  it("fits a phone 390 px wide: the table becomes cards, each with its checkbox", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const cards = page.getByRole("list", { name: "All app passwords" });
      await cards.waitFor();
      expect(await cards.getByRole("listitem").count()).toBe(3);
      expect(await cards.getByRole("checkbox", { name: "Select Old phone of ann@inventory.example" }).count()).toBe(1);
      const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
        "({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })",
      );
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      await expectAccessible(page);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    await table().waitFor();
  });

  it("deletes two selected after confirmation, each in its owner's activity naming the administrator", async () => {
    await page.getByRole("checkbox", { name: "Select Old phone of ann@inventory.example" }).click();
    await page.getByRole("checkbox", { name: "Select Old tablet of bob@inventory.example" }).click();
    await page.getByRole("button", { name: "Delete selected" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Delete 2 app passwords?" });
    await confirm.getByText("Are you sure you want to delete the 2 selected app passwords?").waitFor();
    await expectAccessible(page);
    await confirm.getByRole("button", { name: "Yes" }).click();
    await confirm.waitFor({ state: "detached" });
    await page.getByText("1 app password shown").waitFor();
    await expect.poll(() => rowOf("Old laptop").count()).toBe(1);

    const adminToken = await portal.service.token({ upn: admin, roles: ADMIN_ROLES });
    const left = await portal.service.call("GET", "/api/app-passwords?unusedForDays=30", { token: adminToken });
    expect((left.json.items as { name: string }[]).map((item) => item.name)).toEqual(["Old laptop"]);
    for (const person of people) {
      const activity = await portal.service.call("GET", `/api/users/${person.userId}/activity`, { token: adminToken });
      expect(activity.json.items).toEqual([
        expect.objectContaining({ event: "deleted", by: "admin", adminLoginName: admin }),
      ]);
    }
  });
});

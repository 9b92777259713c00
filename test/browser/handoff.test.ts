import jsQR from "jsqr";
import type { Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectAccessible,
  screenshot,
  shownPassword,
  signInAs,
  startBrowser,
  type TestBrowser,
} from "../support/browser";
import { uniqueLogin } from "../support/fixtures";
import { portalUnderTest } from "../support/portalUnderTest";
import { tableSnapshot } from "../support/tableSnapshot";

/** The phone: another device, so another browser with its own profile, at an iPhone's size. */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** The text a QR code in a screenshot of `page`'s element `testId` carries, read as a phone's camera would. */
async function decodeQr(page: Page, testId: string): Promise<string> {
  const png = PNG.sync.read(await page.getByTestId(testId).screenshot());
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (code === null) throw new Error("No QR code found in the screenshot");
  return code.data;
}

/**
 * The hand-off to the phone in Debian's Chromium: create an app password on the page, make the link, read its
 * QR code from a screenshot, open it on a phone-sized page (no sign-in), which shows a password that verifies;
 * a second open says the link was used. The service holds only ciphertext meanwhile.
 */
describe("the hand-off to the phone", () => {
  const portal = portalUnderTest();
  let phoneBrowser: TestBrowser;

  beforeAll(async () => {
    phoneBrowser = await startBrowser([portal.service.url], PHONE);
  });
  afterAll(async () => {
    expect(phoneBrowser.cspViolations).toEqual([]);
    await phoneBrowser.close();
  });

  const phone = (url: string) => phoneBrowser.open(url);

  it("opens once on the phone from the QR code, shows a password that verifies, and refuses a second open", async () => {
    const login = uniqueLogin("handoff");
    const page = await portal.open();
    await signInAs(page, login);
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: "Create" }).click();
    const create = page.getByRole("dialog", { name: "Create an app password" });
    await create.getByRole("textbox", { name: "Name" }).fill("Alice's iPhone");
    await create.getByRole("button", { name: "Next" }).click();
    const shown = page.getByRole("alertdialog", { name: "Your new app password for Alice's iPhone" });
    await shown.waitFor();
    const { password } = await shownPassword(page);

    await shown.getByRole("button", { name: "Set up on your phone" }).click();
    await page.getByTestId("handoff-qr").waitFor();
    const link = await decodeQr(page, "handoff-qr");
    expect(await page.getByTestId("handoff-link").inputValue()).toBe(link);
    const url = new URL(link);
    expect(url.origin).toBe(portal.service.url);
    expect(url.pathname).toBe("/handoff");
    expect(url.search).toBe("");
    const [id, key] = url.hash.slice(1).split(".");
    expect(id).toMatch(/^[A-Za-z0-9_-]{34}$/);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect.poll(() => shown.getByText("The link opens once, until").count()).toBe(1);
    await expectAccessible(page);
    await screenshot(page, "handoff-qr");

    // What the service holds now: the ciphertext, never the password, the key or the login name.
    const stored = JSON.stringify(await tableSnapshot(portal.service, { throttle: "none" }));
    expect(stored).toContain("Ciphertext");
    for (const secret of [password, key ?? "", `"${id}"`]) expect(stored).not.toContain(secret);
    // The page sent the service the id's read only, never the key (the fragment stays in the browser).
    for (const call of portal.service.calls) expect(call.route).not.toContain(key ?? "");

    const first = await phone(link);
    const onPhone = first.getByTestId("handoff-password");
    await onPhone.waitFor();
    const phonePassword = ((await onPhone.textContent()) ?? "").replace(/ /g, "");
    expect(phonePassword).toBe(password);
    expect(await first.getByText(login).count()).toBeGreaterThan(0);
    // The key left the address bar, and the page fits the phone's width.
    expect(first.url()).toBe(`${portal.service.url}/handoff`);
    expect(await first.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await expectAccessible(first);
    await screenshot(first, "handoff-phone");
    const verified = await portal.service.verify(login, phonePassword, { clientIp: "198.51.100.7" });
    expect(verified.json).toMatchObject({ valid: true });

    const second = await phone(link);
    await second.getByText("This link was used or has expired").waitFor();
    expect(await second.getByTestId("handoff-password").count()).toBe(0);
    await expectAccessible(second);
    expect(JSON.stringify(await tableSnapshot(portal.service))).not.toContain("Ciphertext");

    await first.close();
    await second.close();
    await page.close();
  });

  it("lets the person stop a link before the phone opens it", async () => {
    const login = uniqueLogin("stop");
    const page = await portal.open();
    await signInAs(page, login);
    const dialog = page.getByRole("alertdialog", { name: "Your first app password" });
    await dialog.getByRole("button", { name: "Set up on your phone" }).click();
    await page.getByTestId("handoff-qr").waitFor();
    const link = await page.getByTestId("handoff-link").inputValue();
    await dialog.getByRole("button", { name: "Stop this link" }).click();
    await dialog.getByText("This link no longer works.").waitFor();
    const late = await phone(link);
    await late.getByText("This link was used or has expired").waitFor();
    await late.close();
    await page.close();
  });

  it("says a link without its key is not complete", async () => {
    const broken = await phone(`${portal.service.url}/handoff#only-an-id`);
    await broken.getByText("This link is not complete").waitFor();
    await expectAccessible(broken);
    await broken.close();
  });
});

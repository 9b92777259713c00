import { readFile } from "node:fs/promises";
import jsQR from "jsqr";
import * as plist from "plist";
import { PNG } from "pngjs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectAccessible, screenshot, shownPassword } from "../support/browser";
import { uniqueLogin } from "../support/fixtures";
import { portalUnderTest } from "../support/portalUnderTest";

const MAIL_ENV = {
  MAIL_IMAP_HOST: "imap.contoso.invalid",
  MAIL_SMTP_HOST: "smtp.contoso.invalid",
  MAIL_SMTP_SECURITY: "starttls",
  MAIL_ACTIVESYNC_HOST: "eas.contoso.invalid",
  MAIL_DAV_URL: "https://dav.contoso.invalid/dav/",
  MAIL_ACCOUNT_DESCRIPTION: "Contoso-mail",
};

/** Nothing is wider than the phone: no horizontal scrolling. */
async function expectFits(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    "({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })",
  );
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

async function signInInDutch(page: Page, loginName: string) {
  await page.getByLabel("Aanmeldnaam").fill(loginName);
  await page.getByRole("button", { name: "Aanmelden als" }).click();
  await page.getByText(`Aangemeld als ${loginName}`).waitFor();
}

/**
 * "Uw apparaat instellen" on a Dutch phone (390 × 844, touch), with the tenant's mail settings: create an app
 * password, choose iPhone and download the profile (built in the browser, the password inside), choose Thunderbird
 * and scan its QR code; the dialog fits and passes axe.
 */
describe("device set-up on a Dutch phone", () => {
  const portal = portalUnderTest({
    env: MAIL_ENV,
    browser: { locale: "nl-NL", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  });

  it("downloads an Apple profile and shows a Thunderbird QR code for a new app password", async () => {
    const page = await portal.open();
    const person = uniqueLogin("device");
    await signInInDutch(page, person);
    const first = page.getByRole("alertdialog", { name: "Uw eerste app-wachtwoord" });
    await first.getByText("Uw apparaat instellen").waitFor(); // the first password gets the set-up too
    await first.getByRole("button", { name: "Gereed" }).click();
    await first.waitFor({ state: "detached" });

    await page.getByRole("button", { name: "Maken" }).click();
    const create = page.getByRole("dialog", { name: "Een app-wachtwoord maken" });
    await create.getByRole("textbox", { name: "Naam" }).fill("iPhone van Anna");
    await create.getByRole("button", { name: "Volgende" }).click();
    const shown = page.getByRole("alertdialog", { name: "Uw nieuwe app-wachtwoord voor iPhone van Anna" });
    await shown.waitFor();
    const { password } = await shownPassword(page);

    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await shown.getByRole("radio", { name: "iPhone of iPad" }).check();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      shown.getByRole("button", { name: "Profiel downloaden", exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("iPhone-van-Anna.mobileconfig");
    const profile = plist.parse(await readFile(await download.path(), "utf8")) as Record<string, unknown>;
    const [payload, caldav, carddav] = profile.PayloadContent as Record<string, unknown>[];
    // Calendars and contacts on the CalDAV/CardDAV URL, with the same password.
    expect(caldav).toMatchObject({ PayloadType: "com.apple.caldav.account", CalDAVPassword: password });
    expect(carddav).toMatchObject({ PayloadType: "com.apple.carddav.account", CardDAVHostName: "dav.contoso.invalid" });
    expect(payload).toMatchObject({
      PayloadType: "com.apple.mail.managed",
      EmailAccountDescription: "iPhone van Anna",
      IncomingMailServerHostName: "imap.contoso.invalid",
      IncomingMailServerUsername: person,
      IncomingPassword: password,
      OutgoingMailServerHostName: "smtp.contoso.invalid",
      OutgoingMailServerPortNumber: 587,
    });
    // Built in the browser: the download asked the service nothing.
    expect(requests.filter((url) => url.includes("/api/"))).toEqual([]);
    await shown.getByRole("button", { name: "Exchange ActiveSync-profiel downloaden" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "phone-device-setup-iphone-nl");

    await shown.getByRole("radio", { name: "Android / Thunderbird" }).check();
    const qr = shown.getByTestId("thunderbird-qr");
    await qr.scrollIntoViewIfNeeded();
    const png = PNG.sync.read(await qr.screenshot());
    const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(code).not.toBeNull();
    expect(JSON.parse(code!.data)).toEqual([
      1,
      [1, 1],
      [0, "imap.contoso.invalid", 993, 3, 1, person, "iPhone van Anna", password],
      [
        [
          [0, "smtp.contoso.invalid", 587, 2, 1, person, password],
          [person, person.split("@")[0]],
        ],
      ],
    ]);
    await expectFits(page);
    await expectAccessible(page);
    await screenshot(page, "phone-device-setup-thunderbird-nl");

    // Another app: the settings to type, calendars and contacts among them, each with Copy.
    await shown.getByRole("radio", { name: "Een andere app" }).check();
    await shown.getByText("Agenda's en contacten (CalDAV/CardDAV)").waitFor();
    await shown.getByText("https://dav.contoso.invalid/dav/").scrollIntoViewIfNeeded();
    await expectFits(page);
    await expectAccessible(page);
    await screenshot(page, "phone-device-setup-settings-nl");
    await shown.getByRole("button", { name: "Gereed" }).click();
    await shown.waitFor({ state: "detached" });
  });
});

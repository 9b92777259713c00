import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { devObjectId } from "../../dev/devTokenIssuer";
import { expectAccessible, screenshot, settled, shownPassword } from "../support/browser";
import { uniqueLogin } from "../support/fixtures";
import { portalUnderTest } from "../support/portalUnderTest";

const LOCALES = path.join(__dirname, "..", "..", "portal", "src", "i18n", "locales");

/** Every message of a language's catalogs. */
function catalogMessages(language: string): string[] {
  const values = (node: unknown): string[] =>
    typeof node === "string" ? [node] : Object.values(node as Record<string, unknown>).flatMap(values);
  return readdirSync(path.join(LOCALES, language)).flatMap((file) =>
    values(JSON.parse(readFileSync(path.join(LOCALES, language, file), "utf8"))),
  );
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const wholeWords = (text: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(text)}(?![\\p{L}\\p{N}])`, "u");

// What of the English messages would show if a string escaped translation: each message's fixed parts (around
// its placeholders and markup), of at least four characters, that no Dutch message also uses.
const DUTCH = catalogMessages("nl");
const ENGLISH_FRAGMENTS = [
  ...new Set(
    catalogMessages("en")
      .flatMap((message) => message.split(/\{\{[^}]*\}\}|<[^>]*>/))
      .map((fragment) => fragment.trim().replace(/^[\s,.:;()?]+|[\s,.:;()?]+$/g, ""))
      .filter((fragment) => fragment.length >= 4 && /\p{L}/u.test(fragment)),
  ),
].filter((fragment) => !DUTCH.some((message) => wholeWords(fragment).test(message)));

/** The page's visible text and its accessible names hold no English message. */
async function expectNoEnglish(page: Page, data: readonly string[] = []) {
  await settled(page);
  let text = await page.evaluate<string>(`document.body.innerText + "\\n" +
    [...document.querySelectorAll("[aria-label], [placeholder], [title]")]
      .map((e) => [e.getAttribute("aria-label"), e.getAttribute("placeholder"), e.getAttribute("title")].join("\\n"))
      .join("\\n") + "\\n" + document.title`);
  // What people typed, and what the service names (the first app password), are not the page's words.
  for (const typed of data) text = text.split(typed).join("");
  expect(ENGLISH_FRAGMENTS.filter((fragment) => wholeWords(fragment).test(text))).toEqual([]);
}

interface Box {
  readonly what: string;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly cut: boolean;
}

/**
 * The page fits the phone: no horizontal scrolling, every control and line of text inside the viewport, no
 * control whose text is cut off, and no two of them on top of each other (in the open dialog when there is one).
 */
async function expectFits(page: Page) {
  await settled(page);
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    "({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })",
  );
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  const boxes = await page.evaluate<Box[]>(`(() => {
    const dialog = document.querySelector("[role=dialog], [role=alertdialog]");
    const root = dialog ?? document.body;
    const selector = "button, [role=tab], input:not([type=checkbox]):not([type=radio]), select, h1, h2, h3, p, dt, dd, label, legend";
    return [...root.querySelectorAll(selector)]
      .filter((e) => !e.closest(".fui-Toast") && e.getClientRects().length > 0)
      .filter((e) => getComputedStyle(e).visibility !== "hidden")
      .map((e, index) => {
        e.dataset.fitIndex = String(index);
        const control = e.matches("button, [role=tab], input, select");
        // Text by the lines it draws, not its box: a label's padding may reach under its neighbour unseen.
        let r = e.getBoundingClientRect();
        if (!control) { const range = document.createRange(); range.selectNodeContents(e); r = range.getBoundingClientRect(); }
        return { what: e.tagName.toLowerCase() + " " + (e.getAttribute("aria-label") ?? e.textContent ?? "").trim().slice(0, 60),
          left: r.left, right: r.right, top: r.top, bottom: r.bottom,
          cut: e.matches("button, [role=tab]") && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1) };
      });
  })()`);
  expect(boxes.length).toBeGreaterThan(0);
  expect(boxes.filter((box) => box.left < -1 || box.right > innerWidth + 1).map((box) => box.what)).toEqual([]);
  expect(boxes.filter((box) => box.cut).map((box) => box.what)).toEqual([]);
  const nested = await page.evaluate<[number, number][]>(`(() => {
    const all = [...document.querySelectorAll("[data-fit-index]")];
    const pairs = [];
    for (const a of all) for (const b of all) if (a !== b && a.contains(b)) pairs.push([Number(a.dataset.fitIndex), Number(b.dataset.fitIndex)]);
    all.forEach((e) => delete e.dataset.fitIndex);
    return pairs;
  })()`);
  const contains = new Set(nested.map(([a, b]) => `${a}/${b}`));
  const overlapping: string[] = [];
  boxes.forEach((a, i) =>
    boxes.forEach((b, j) => {
      if (j <= i || contains.has(`${i}/${j}`) || contains.has(`${j}/${i}`)) return;
      const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (across > 1 && down > 1) overlapping.push(`${a.what} | ${b.what}`);
    }),
  );
  expect(overlapping).toEqual([]);
}

/** Fits the phone, passes axe there, and speaks Dutch only. */
async function expectGoodPhoneScreen(page: Page, data: readonly string[] = []) {
  await expectFits(page);
  await expectNoEnglish(page, data);
  await expectAccessible(page);
}

/** The card of an app password, as the list shows it at phone width. */
const card = (page: Page, name: string) =>
  page.getByRole("listitem").filter({ has: page.getByRole("button", { name: `${name} verwijderen`, exact: true }) });

async function signInInDutch(page: Page, loginName: string, options: { admin?: boolean } = {}) {
  await page.getByLabel("Aanmeldnaam").fill(loginName);
  if (options.admin) await page.getByLabel("Beheerder (rol AppPasswords.Admin)").check();
  await page.getByRole("button", { name: "Aanmelden als" }).click();
  await page.getByText(`Aangemeld als ${loginName}`).waitFor();
}

/** The first app password's name when the page registers in Dutch: the page names it in its language. */
const FIRST = "Eerste app-wachtwoord";
/** Its name when registered in English or by the API: the service's default, data once stored, not the page's words. */
const INITIAL = "Initial app password";

/**
 * The page on a phone (390 × 844, touch) whose browser asks for Dutch: every screen of the person's flow, and
 * the admin's, in Dutch, fitting the screen, passing axe; the language switch; problems in Dutch by their code.
 */
describe("the self-service page on a phone, in Dutch", () => {
  const portal = portalUnderTest({
    env: { APP_PASSWORDS_MAX_PER_USER: "3" },
    browser: { locale: "nl-NL", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  });
  const person = uniqueLogin("telefoon");

  it("would notice English: the fragments it looks for are the English page's words", () => {
    expect(ENGLISH_FRAGMENTS).toEqual(
      expect.arrayContaining(["Your app passwords", "Delete", "Sign in as", "Created"]),
    );
    expect(ENGLISH_FRAGMENTS).not.toContain("IMAP");
  });

  it("signs in, registers, shows the first password, creates, lists, renames and deletes: all in Dutch", async () => {
    const page = await portal.open();
    await page.getByRole("button", { name: "Aanmelden als" }).waitFor();
    expect(await page.evaluate("document.documentElement.lang")).toBe("nl");
    await expectGoodPhoneScreen(page);
    await screenshot(page, "phone-sign-in-nl");

    await signInInDutch(page, person);
    const first = page.getByRole("alertdialog", { name: "Uw eerste app-wachtwoord" });
    await first.getByText("wordt niet nog eens getoond").waitFor();
    const { password: firstPassword } = await shownPassword(page);
    expect((await portal.service.verify(person, firstPassword, { clientIp: "198.51.100.60" })).json.valid).toBe(true);
    await expectGoodPhoneScreen(page, [FIRST]);
    await first.getByRole("button", { name: "Gereed" }).click();
    await first.waitFor({ state: "detached" });
    await card(page, FIRST).waitFor();
    await expectGoodPhoneScreen(page, [FIRST, person]);
    await screenshot(page, "phone-app-passwords-nl");

    await page.getByRole("button", { name: "Maken" }).click();
    const create = page.getByRole("dialog", { name: "Een app-wachtwoord maken" });
    await create.getByRole("textbox", { name: "Naam" }).fill("iPhone van Anna");
    await create.getByLabel("Verloopt").selectOption({ label: "Over 90 dagen" });
    await expectGoodPhoneScreen(page, [FIRST, person]);
    await create.getByRole("button", { name: "Volgende" }).click();
    const shown = page.getByRole("alertdialog", { name: "Uw nieuwe app-wachtwoord voor iPhone van Anna" });
    await shown.waitFor();
    const { password } = await shownPassword(page);
    await shown.getByRole("button", { name: "Kopiëren" }).click();
    await shown.getByRole("button", { name: "Gekopieerd" }).waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(password);
    await expectGoodPhoneScreen(page, [FIRST, person, "iPhone van Anna"]);
    await screenshot(page, "phone-new-app-password-nl");
    expect((await portal.service.verify(person, password, { clientIp: "198.51.100.61" })).json.valid).toBe(true);
    await shown.getByRole("button", { name: "Gereed" }).click();
    await shown.waitFor({ state: "detached" });

    const listed = card(page, "iPhone van Anna");
    await listed.getByText("vanaf 198.51.100.61").waitFor(); // its use above, in Dutch words
    const expiry = new Intl.DateTimeFormat("nl-NL", { dateStyle: "medium" }).format(Date.now() + 90 * 86_400_000);
    await listed.getByText(expiry, { exact: false }).waitFor();
    await expectGoodPhoneScreen(page, [FIRST, person, "iPhone van Anna"]);

    await page.getByRole("button", { name: "Naam wijzigen van iPhone van Anna" }).click();
    await page.getByLabel("Nieuwe naam voor iPhone van Anna").fill("Telefoon van Anna");
    await expectGoodPhoneScreen(page, [FIRST, person, "iPhone van Anna"]);
    await page.getByRole("button", { name: "Opslaan" }).click();
    await card(page, "Telefoon van Anna").waitFor();
    await page.getByText("Naam gewijzigd in Telefoon van Anna").first().waitFor();

    await page.getByRole("button", { name: "Telefoon van Anna verwijderen" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Telefoon van Anna verwijderen?" });
    await confirm.getByText("Weet u zeker dat u Telefoon van Anna wilt verwijderen?").waitFor();
    await expectGoodPhoneScreen(page, [FIRST, person, "Telefoon van Anna"]);
    await confirm.getByRole("button", { name: "Ja" }).click();
    await card(page, "Telefoon van Anna").waitFor({ state: "detached" });
    await page.getByText("Telefoon van Anna is verwijderd").first().waitFor();
    expect((await portal.service.verify(person, password, { clientIp: "198.51.100.61" })).json.valid).toBe(false);

    await page.getByRole("tab", { name: "Uw activiteit" }).click();
    const activity = page.getByRole("list", { name: "Uw activiteit" });
    await activity.getByText("Naam gewijzigd, was iPhone van Anna").waitFor();
    await activity.getByText("Verwijderd").waitFor();
    await expectGoodPhoneScreen(page, [FIRST, person, "iPhone van Anna", "Telefoon van Anna"]);
    await screenshot(page, "phone-activity-nl");
    await page.close();
  });

  it("shows the service's problems in Dutch by their code: a bad name, and the limit of 3", async () => {
    const login = uniqueLogin("grens");
    const page = await portal.open();
    await signInInDutch(page, login);
    await page.getByRole("button", { name: "Gereed" }).click();
    await card(page, FIRST).waitFor();
    // Two more elsewhere (another device, say): the page still shows one, so Create stays open.
    const token = await portal.service.token({ upn: login });
    for (const name of ["Laptop", "Tablet"]) {
      const created = await portal.service.call("POST", "/api/users/me/app-passwords", { token, body: { name } });
      expect(created.status).toBe(201);
    }

    await page.getByRole("button", { name: "Maken" }).click();
    const create = page.getByRole("dialog", { name: "Een app-wachtwoord maken" });
    await create.getByRole("textbox", { name: "Naam" }).fill("\u200b"); // invisible: refused by the service
    await create.getByRole("button", { name: "Volgende" }).click();
    const problem = create.getByRole("alert");
    await problem.getByText("Iets in het verzoek is niet geldig.").waitFor();
    await problem.getByText("De naam moet 1 tot 128 zichtbare tekens").waitFor();
    await expectGoodPhoneScreen(page, [FIRST, login]);

    await create.getByRole("textbox", { name: "Naam" }).fill("Vierde");
    await create.getByRole("button", { name: "Volgende" }).click();
    await problem.getByText("U hebt het maximum van 3 app-wachtwoorden bereikt.").waitFor();
    await expectGoodPhoneScreen(page, [FIRST, login, "Vierde"]);
    await page.close();
  });

  it("switches to English and back with the switch, and remembers the choice after a reload", async () => {
    const page = await portal.open();
    await page.getByLabel("Taal").selectOption({ label: "English" });
    await page.getByRole("button", { name: "Sign in as" }).waitFor();
    expect(await page.evaluate("document.documentElement.lang")).toBe("en");
    expect(await page.title()).toBe("App passwords");
    await page.reload();
    await page.getByRole("button", { name: "Sign in as" }).waitFor();
    await expectFits(page);

    const login = uniqueLogin("talen");
    await page.getByLabel("Login name").fill(login);
    await page.getByRole("button", { name: "Sign in as" }).click();
    await page
      .getByRole("alertdialog", { name: "Your first app password" })
      .getByRole("button", { name: "Done" })
      .click();
    await page.getByRole("button", { name: `Delete ${INITIAL}` }).waitFor();
    await page.getByLabel("Language").selectOption({ label: "Nederlands" });
    await page.getByRole("button", { name: `${INITIAL} verwijderen` }).waitFor();
    await page.getByRole("heading", { name: "Uw app-wachtwoorden" }).waitFor();
    expect(await page.title()).toBe("App-wachtwoorden");
    await page.reload();
    await card(page, INITIAL).waitFor();
    await expectGoodPhoneScreen(page, [INITIAL, login]);
    await page.close();
  });

  it("gives the administrator Find a person and a person's app passwords in Dutch, fitting the phone", async () => {
    const someone = uniqueLogin("iemand");
    const token = await portal.service.token({ upn: someone });
    expect((await portal.service.call("POST", "/api/users/me/registration", { token })).status).toBe(201);
    const page = await portal.open();
    await signInInDutch(page, uniqueLogin("beheer"), { admin: true });
    await page.getByRole("button", { name: "Gereed" }).click();
    await page.getByRole("tab", { name: "Iemand zoeken" }).click();
    await page.getByLabel("Aanmeldnaam of object-id").fill(devObjectId(someone));
    await expectGoodPhoneScreen(page, [INITIAL]);
    await page.getByRole("button", { name: "Zoeken", exact: true }).click();
    await card(page, INITIAL).waitFor();
    await page
      .getByRole("list", { name: `Activiteit van ${devObjectId(someone)}` })
      .getByText("Gemaakt")
      .first()
      .waitFor();
    await expectGoodPhoneScreen(page, [INITIAL, devObjectId(someone)]);
    await screenshot(page, "phone-admin-nl");
    await page.close();
  });
});

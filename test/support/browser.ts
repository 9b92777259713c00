import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";

/** Debian's Chromium: the tests never download a browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** The built page (`npm run build:portal`, which `npm run test:browser` runs first). */
export const PORTAL_DIST = path.join(__dirname, "..", "..", "portal", "dist");

/** Where `UPDATE_SCREENSHOTS=1 npm run test:browser` leaves screenshots of the main screens, for the README. */
const SCREENSHOTS = path.join(__dirname, "..", "..", "docs", "screenshots");

/** Quiet, offline Chromium: nothing but the page under test talks to the network. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface TestBrowser {
  readonly context: BrowserContext;
  /** What Chromium reported as blocked by the page's Content-Security-Policy, on any page opened. */
  readonly cspViolations: string[];
  /** A new tab (its own session storage, so its own signed-in person) at `url`. */
  open(url: string): Promise<Page>;
  close(): Promise<void>;
}

/** How the browser presents itself: by default an English (British) desktop browser, 1280 × 800. */
export interface BrowserOptions {
  readonly locale?: string;
  readonly viewport?: { readonly width: number; readonly height: number };
  /** A phone: the viewport's meta tag applies, and touch events. */
  readonly isMobile?: boolean;
  readonly hasTouch?: boolean;
}

/** Chromium with a fresh profile, allowed to use the clipboard on each of `origins`. */
export async function startBrowser(origins: readonly string[], options: BrowserOptions = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  if (!existsSync(path.join(PORTAL_DIST, "index.html"))) {
    throw new Error("portal/dist is missing: run npm run build:portal (npm run test:browser does)");
  }
  const profile = mkdtempSync(path.join(tmpdir(), "chromium-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    locale: options.locale ?? "en-GB",
    isMobile: options.isMobile ?? false,
    hasTouch: options.hasTouch ?? false,
    timezoneId: "UTC",
  });
  for (const origin of origins) {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  }
  context.setDefaultTimeout(30_000);
  const cspViolations: string[] = [];
  return {
    context,
    cspViolations,
    open: async (url) => {
      const page = await context.newPage();
      page.on("console", (message) => {
        if (message.text().includes("Content Security Policy")) cspViolations.push(message.text());
      });
      await page.goto(url);
      return page;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in with the local host's "Sign in as" form. */
export async function signInAs(page: Page, loginName: string, options: { admin?: boolean } = {}) {
  await page.getByLabel("Login name").fill(loginName);
  if (options.admin) await page.getByLabel("Administrator (role AppPasswords.Admin)").check();
  await page.getByRole("button", { name: "Sign in as" }).click();
  await page.getByText(`Signed in as ${loginName}`).waitFor();
}

/** The password in the open dialog, as shown in groups of four, and without the spaces. */
export async function shownPassword(page: Page): Promise<{ grouped: string; password: string }> {
  const grouped = (await page.getByTestId("new-password").textContent()) ?? "";
  expect(grouped).toMatch(/^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$/);
  return { grouped, password: grouped.replace(/ /g, "") };
}

/** The page's HTML and text hold no trace of `password`, grouped or not. */
export async function expectGone(page: Page, password: string) {
  const html = await page.content();
  const text = await page.evaluate<string>("document.body.innerText");
  for (const form of [password, password.match(/.{4}/g)?.join(" ") ?? password]) {
    expect(html).not.toContain(form);
    expect(text).not.toContain(form);
  }
}

/**
 * Waits until no animation runs: Fluent fades dialogs in and out, and a half-faded one is both still in the
 * page and of too little contrast.
 */
export async function settled(page: Page) {
  // A spinner's animation never finishes: only the finite ones are waited for.
  await page.evaluate(`Promise.all(document.getAnimations()
    .filter((animation) => animation.effect?.getComputedTiming().iterations !== Infinity)
    .map((animation) => animation.finished.catch(() => undefined)))`);
}

/** axe-core on the page as it is now: no serious or critical violation of WCAG 2.1 A/AA. */
export async function expectAccessible(page: Page) {
  const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  // Evaluated through the debugging protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(source);
  const serious = async () => {
    await settled(page);
    const violations = await page.evaluate<{ id: string; impact: string; help: string; nodes: string[] }[]>(
      // Fluent's focus trap (tabster) brackets a dialog with hidden, focusable sentinels that pass focus straight
      // on: they never keep the focus, so they are no barrier; axe cannot know that.
      `axe.run({ exclude: [["[data-tabster-dummy]"]] }, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] })
        .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => n.target.join(" ")) })))`,
    );
    return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  };
  // A toast or dialog that starts fading in while axe runs is measured half-transparent: a violation that is
  // gone a moment later. What is still there on a third look is real.
  let found = await serious();
  for (let look = 1; look < 3 && found.length > 0; look++) {
    await page.waitForTimeout(500);
    found = await serious();
  }
  expect(found).toEqual([]);
}

/**
 * Takes a screenshot of the page: for the README (`docs/screenshots/`) when `UPDATE_SCREENSHOTS=1`, else into a
 * temporary folder and thrown away, so that a test run leaves the checkout clean yet still fails when the page
 * cannot be rendered.
 */
export async function screenshot(page: Page, name: string) {
  const update = process.env.UPDATE_SCREENSHOTS === "1";
  const folder = update ? SCREENSHOTS : mkdtempSync(path.join(tmpdir(), "screenshots-"));
  try {
    mkdirSync(folder, { recursive: true });
    await page.screenshot({ path: path.join(folder, `${name}.png`) });
  } finally {
    if (!update) rmSync(folder, { recursive: true, force: true });
  }
}

/** The row of an app passwords table that names `name`. */
export const row = (page: Page, name: string) =>
  page.getByRole("row").filter({ has: page.getByRole("button", { name: `Delete ${name}`, exact: true }) });

/** The text of the focused element. */
export const focusedText = (page: Page) => page.evaluate<string>("document.activeElement?.textContent ?? ''");

/** Presses Tab until the focus is on the control labelled `text`: it must be reachable from the keyboard. */
export async function tabTo(page: Page, text: string, most = 20) {
  for (let presses = 0; (await focusedText(page)) !== text; presses++) {
    expect(presses, `${text} is reachable with Tab`).toBeLessThan(most);
    await page.keyboard.press("Tab");
  }
}

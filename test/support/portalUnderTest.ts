import type { Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { PORTAL_DIST, startBrowser, type BrowserOptions, type TestBrowser } from "./browser";
import { startTestService, type TestService } from "./testService";

/** The self-service page served beside the API, and a browser to open it in. */
export interface PortalUnderTest {
  /** The service on the test run's Azurite (a table of its own), serving the built page at `/`. */
  readonly service: TestService;
  /** Chromium, allowed to use the clipboard on the service's origin. */
  readonly browser: TestBrowser;
  /** A new tab (its own session storage, so its own signed-in person) on the page. */
  open(): Promise<Page>;
}

/**
 * Starts the service with the built page, and Chromium, before the tests of the `describe` block it is called in,
 * and closes both after them. `env` is read when they start, so it may name what an earlier `beforeAll` started.
 */
export function portalUnderTest(
  options: { env?: Record<string, string> | (() => Record<string, string>); browser?: BrowserOptions } = {},
): PortalUnderTest {
  let started: { service: TestService; browser: TestBrowser } | undefined;
  const running = () => {
    if (started === undefined) throw new Error("portalUnderTest: used outside the tests of its describe block");
    return started;
  };

  beforeAll(async () => {
    const env = typeof options.env === "function" ? options.env() : options.env;
    const service = await startTestService({ portalDir: PORTAL_DIST, ...(env && { env }) });
    try {
      started = { service, browser: await startBrowser([service.url], options.browser) };
    } catch (error) {
      await service.close();
      throw error;
    }
  });
  afterAll(async () => {
    if (started === undefined) return;
    const { service, browser } = started;
    started = undefined;
    await browser.close();
    await service.close();
  });

  return {
    get service() {
      return running().service;
    },
    get browser() {
      return running().browser;
    },
    open: () => running().browser.open(running().service.url),
  };
}

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The browser tests need Debian's Chromium: `npm run test:browser` runs them (vitest.browser.config.mts).
    exclude: ["test/browser/**", "**/node_modules/**"],
    globalSetup: ["test/support/globalSetup.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});

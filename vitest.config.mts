import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Need Debian's Dovecot and Chromium: `npm run test:gateway` and `npm run test:browser` run them.
    exclude: [...configDefaults.exclude, "test/gateways/**", "test/browser/**"],
    globalSetup: ["test/support/globalSetup.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});

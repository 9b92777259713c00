import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Needs Debian's Dovecot packages: `npm run test:gateway` runs it.
    exclude: [...configDefaults.exclude, "test/gateways/**"],
    globalSetup: ["test/support/globalSetup.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});

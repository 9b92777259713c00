import { defineConfig } from "vitest/config";

/**
 * `npm run test:gateway`: the mail gateway recipes in `gateways/` against real mail servers (Debian's Dovecot
 * packages), the service and Azurite. Kept out of `npm test`, which needs nothing but Node.
 */
export default defineConfig({
  test: {
    include: ["test/gateways/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    pool: "forks",
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from "vitest/config";

/** `npm run test:browser`: the self-service page in Debian's Chromium, against the local host and Azurite. */
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    pool: "forks",
    // One browser at a time: the machine is shared, and each file starts its own Chromium.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from "vitest/config";

// `pnpm --filter @verk/web screenshots`: refresh the PNGs of the README with the browser tests' Chromium.
export default defineConfig({
  test: {
    include: ["scripts/screenshots.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});

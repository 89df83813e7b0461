import { defineConfig } from "vitest/config";

// Browser tests share one Chromium and one server per file; files run one after the other.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
  },
});

import { defineConfig } from "vitest/config";

// The tests run the BUILT binary (dist/bin.js): run `pnpm --filter @verk/cli build` first.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 20_000 },
});

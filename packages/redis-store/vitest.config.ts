import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      // The private conformance suite is consumed from source: it has no build step of its own to wait for.
      "@verk/store-conformance": fileURLToPath(new URL("../store-conformance/src/index.ts", import.meta.url)),
    },
  },
  test: { testTimeout: 20_000, hookTimeout: 20_000 },
});

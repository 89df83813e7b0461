import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // The isolation tests run against real Redis: the Redis store and the private Redis helper
    // come from source (they depend on core, so core cannot depend on their builds), and
    // "@verk/core" inside them is this package's own source (one copy of core in the test).
    alias: [
      { find: /^@verk\/core$/, replacement: here("./src/index.ts") },
      { find: /^@verk\/redis-store$/, replacement: here("../redis-store/src/index.ts") },
      { find: /^@verk\/test-redis\/vitest$/, replacement: here("../test-redis/src/vitest.ts") },
      { find: /^@verk\/test-redis$/, replacement: here("../test-redis/src/index.ts") },
    ],
  },
  test: { testTimeout: 20_000, hookTimeout: 20_000 },
});

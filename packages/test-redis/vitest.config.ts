import { defineConfig } from "vitest/config";

// Clusters and sentinel setups take seconds to start and to fail over on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 40_000, hookTimeout: 40_000 } });

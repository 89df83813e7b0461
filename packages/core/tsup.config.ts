import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.mjs";

export default defineConfig(
  packageBuild({
    // The entry of isolated queues' worker threads and child processes is a file of its own
    // (dist/isolation-worker.js), found next to the bundle at run time.
    entry: { index: "src/index.ts", "isolation-worker": "src/isolation/worker-entry.ts" },
    dts: { entry: { index: "src/index.ts" } },
    // import.meta.url in the CommonJS build (to find that file).
    shims: true,
  }),
);

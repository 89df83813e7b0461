import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.mjs";

// `shims` gives the CJS build `import.meta.url`, used to find the served assets.
export default defineConfig(packageBuild({ shims: true }));

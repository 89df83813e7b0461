import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.mjs";

// `shims`: the CJS build gets `import.meta.url`, used to load the optional peer prom-client.
export default defineConfig(packageBuild({ shims: true }));

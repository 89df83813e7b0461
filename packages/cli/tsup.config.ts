import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.mjs";

export default defineConfig([
  packageBuild(),
  {
    // The `verk` binary (package.json bin.verk = dist/bin.js).
    entry: ["src/bin.ts"],
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
]);

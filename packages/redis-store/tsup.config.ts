import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.mjs";

export default defineConfig(
  packageBuild({ entry: ["src/index.ts", "src/keep-alive-thread.ts"], shims: true }),
);

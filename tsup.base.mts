import type { Options } from "tsup";

/**
 * The build every published package shares: ESM + CJS + `.d.ts` for Node 20, from `src/index.ts`
 * (plus any `extra` entries), with source maps. Override or add fields through `overrides`.
 */
export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node20",
    ...overrides,
  };
}

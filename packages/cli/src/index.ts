/**
 * `@verk/cli`: the `verk` command (run with `npx @verk/cli` or `verk` once installed), and its
 * pieces for programmatic use: {@link main}, the quick-start {@link runDemo}, and the config types.
 * @packageDocumentation
 */
export type { Command, FlagSpec } from "./command.js";
export type { LoadedConfig, VerkConfig } from "./config.js";
export { CONFIG_FILES, defineConfig, loadConfig, parseQueues } from "./config.js";
export type { Io } from "./context.js";
export type { DemoOptions, DemoSummary } from "./demo.js";
export { runDemo } from "./demo.js";
export { findCommand, main } from "./main.js";
export { CliError, EXIT, UsageError } from "./util/errors.js";
export { VERSION } from "./version.js";

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { VerkError } from "../errors.js";

/** File name of the built thread/process entry, next to `dist/index.js`. */
export const ENTRY_FILE = "isolation-worker.js";

/**
 * Path of the built entry of isolated queues' threads and processes: beside the bundle that
 * runs this code (`dist/`), or, when core runs from its sources (its own tests), in `dist/`.
 * Throws `WORKER_MODULE` when @verk/core was not built. @internal
 */
export function workerEntryPath(): string {
  const here = import.meta.url;
  for (const relative of [`./${ENTRY_FILE}`, `../../dist/${ENTRY_FILE}`]) {
    const path = fileURLToPath(new URL(relative, here));
    if (existsSync(path)) return path;
  }
  throw new VerkError(
    "WORKER_MODULE",
    `the entry of isolated queues (${ENTRY_FILE}) is missing next to ${fileURLToPath(here)}: build @verk/core first`,
  );
}

import { VerkError } from "../errors.js";
import type { IsolationResourceLimits } from "./options.js";
import type { FatalMessage } from "./protocol.js";
import type { ExitInfo } from "./transport.js";

/**
 * A job failed because the thread or process running it died (exit, uncaught error, out of
 * memory, native crash) or was terminated; `error_class` is `WorkerCrashedError` and
 * `error_message` says what happened. Code `WORKER_CRASHED`.
 */
export class WorkerCrashedError extends VerkError {
  constructor(message: string) {
    super("WORKER_CRASHED", message);
    this.name = "WorkerCrashedError";
  }
}

/** Why a member died, without the "while running this job" tail. @internal */
export function describeExit(
  kind: "thread" | "process",
  exit: ExitInfo,
  fatal: FatalMessage | undefined,
  limits: IsolationResourceLimits,
): string {
  const who = `worker ${kind}`;
  if (fatal) return `${who} crashed with an ${fatal.kind} (${fatal.error.name}: ${fatal.error.message})`;
  const heap = limits.maxOldGenerationSizeMb;
  const limitText = heap === undefined ? "" : ` (maxOldGenerationSizeMb ${heap})`;
  if (exit.error?.code === "ERR_WORKER_OUT_OF_MEMORY") return `${who} ran out of memory${limitText}`;
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(exit.stderrTail))
    return `${who} ran out of memory${limitText}`;
  if (exit.error) return `${who} crashed (${exit.error.name}: ${exit.error.message})`;
  if (exit.signal) return `${who} was killed by ${exit.signal}`;
  return `${who} exited with code ${exit.code}`;
}

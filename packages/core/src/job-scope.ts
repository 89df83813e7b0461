import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "./logger.js";

/** The running job an asynchronous callback belongs to. @internal */
export interface ScopedJob {
  /** Queue of the job. */
  readonly queue: string;
  /** Its jid, when the payload could be read. */
  readonly jid: string | undefined;
  /** Fail the job with `error` (an error thrown where the handler could not catch it). */
  crash(error: unknown): void;
}

const scope = new AsyncLocalStorage<ScopedJob>();

/** Run `fn` so every callback it schedules (timers, I/O, promises) is attributed to `job`. @internal */
export function runInJobScope<T>(job: ScopedJob, fn: () => T): T {
  return scope.run(job, fn);
}

/** The job whose handler scheduled the code running now, if any. @internal */
export function currentJob(): ScopedJob | undefined {
  return scope.getStore();
}

let holders = 0;
let guardLogger: Logger | undefined;

function contain(kind: string, error: unknown): boolean {
  const job = scope.getStore();
  if (!job) return false;
  guardLogger?.error(
    { queue: job.queue, jid: job.jid, err: error },
    `${kind} inside job ${job.jid ?? "?"} of queue "${job.queue}": the job fails with it`,
  );
  job.crash(error);
  return true;
}

function rethrow(error: unknown): void {
  // Not ours: behave as if Verk had no handler (print and exit), unless the application has its own.
  if (process.listenerCount("uncaughtException") > 1) return;
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUnhandled);
  holders = 0;
  process.nextTick(() => {
    throw error;
  });
}

function onUncaught(error: unknown): void {
  if (!contain("uncaught exception", error)) rethrow(error);
}

function onUnhandled(reason: unknown): void {
  if (contain("unhandled rejection", reason)) return;
  if (process.listenerCount("unhandledRejection") > 1) return;
  rethrow(reason);
}

/**
 * While held, an exception thrown (or a promise rejected without a handler) inside a callback
 * that a job handler scheduled, e.g. a `setTimeout`, fails that job instead of crashing the
 * process. Errors that belong to no job keep Node's behaviour (crash) unless the application
 * has its own `uncaughtException`/`unhandledRejection` listener. Resolves a release function.
 * @internal
 */
export function holdUncaughtGuard(logger: Logger): () => void {
  guardLogger = logger;
  if (holders++ === 0) {
    process.on("uncaughtException", onUncaught);
    process.on("unhandledRejection", onUnhandled);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (holders > 0 && --holders === 0) {
      process.off("uncaughtException", onUncaught);
      process.off("unhandledRejection", onUnhandled);
    }
  };
}

import type { InFlightJob } from "./in-flight-job.js";

/**
 * How a handler run ended, as reported by a {@link JobExecutor}.
 * - `ok: true`: the handler resolved.
 * - `ok: false`: it threw, rejected, timed out, crashed its thread, or no worker exists; `error`
 *   says which. `bodyDone`, when present, settles once the handler's body really stopped (an
 *   in-process handler that timed out keeps running until it returns): its concurrency slot
 *   stays taken until then.
 */
export type ExecutionResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly error: unknown;
      readonly bodyDone?: Promise<void>;
      /** Set by isolated executors: failure planning then uses this instead of the local registry. */
      readonly remote?: RemoteFailure;
    };

/**
 * What an isolated run tells failure planning, since the handler's worker may not be registered
 * in this thread and its `backoff` is user code that must not run here.
 */
export interface RemoteFailure {
  /** The worker's serialisable options as its thread reported them; undefined for an unknown class. */
  readonly worker: { readonly retry?: boolean | number | undefined } | undefined;
  /** Seconds the worker's own `backoff` returned in its thread; absent = the default backoff. */
  readonly backoffSeconds?: number;
}

/** The shared success result (no allocation per job). */
export const EXECUTION_OK: ExecutionResult = Object.freeze({ ok: true });

/**
 * Runs the handlers of one queue: in this process ({@link InProcessExecutor}) or in a pool of
 * worker threads or child processes owned by the queue (isolated queues). The queue runner
 * fetches, acks and fails; the executor only runs handler bodies. @internal
 */
export interface JobExecutor {
  /** True when handlers run outside this thread. */
  readonly isolated: boolean;
  /** Run the handler of `flight` (its payload is parsed in `flight.job`). Never rejects. */
  execute(flight: InFlightJob): Promise<ExecutionResult>;
  /**
   * Release the executor's resources; for pools, terminate every thread or process. Runs that
   * have not settled by then end with `ok: false`. Resolves when everything is gone.
   */
  close(): Promise<void>;
}

import type { JobPayload } from "./job.js";
import type { Verk } from "./verk.js";
import type { JobContext } from "./worker.js";

/** Which producer call is writing jobs, as seen by {@link VerkPlugin.aroundEnqueue}. */
export type EnqueueKind = "enqueue" | "enqueueBulk" | "schedule" | "scheduleBulk";

/** A producer write about to happen, handed to {@link VerkPlugin.aroundEnqueue}. */
export interface EnqueueOperation {
  /** The producer call. */
  readonly kind: EnqueueKind;
  /**
   * The payloads, built and validated but not yet encoded. A plugin may add or change top-level
   * fields before calling `write` (e.g. a W3C `traceparent`); the encoding happens inside `write`.
   */
  readonly jobs: readonly JobPayload[];
  /** For `schedule`/`scheduleBulk`: when each job is due, epoch milliseconds (same order as `jobs`). */
  readonly dueAt?: readonly number[];
}

/** One run of a job, as seen by {@link VerkPlugin.aroundPerform}. */
export interface PerformInfo extends JobContext {
  /** The node running it. */
  readonly nodeId: string;
  /** When the run started, epoch ms. */
  readonly startedAt: number;
  /** True when the queue runs its handlers in worker threads or child processes. */
  readonly isolated: boolean;
  /**
   * Writable string headers for this run: what a wrapper puts here reaches the handler as
   * `this.carrier`, in this process or inside an isolated queue's thread or process (e.g. the
   * `traceparent` of the run's span, so spans made inside the thread become its children).
   */
  readonly carrier: Record<string, string>;
}

/**
 * An add-on (`@verk/stats`, `@verk/events`, `@verk/scheduler`, `@verk/otel`, or your own),
 * plugged in with `createVerk({ plugins: [...] })`. Hooks may subscribe to events with
 * `verk.on(...)` and use `verk.store`. A lifecycle hook that throws fails `start()`/`stop()`
 * loudly rather than being ignored.
 */
export interface VerkPlugin {
  /** Name used in logs and errors. */
  readonly name: string;
  /** Called once, synchronously, from `createVerk`. */
  setup?(verk: Verk): void;
  /** Called by `start()` after the store connected and before queues fetch. */
  start?(verk: Verk): void | Promise<void>;
  /** Called by `stop()` after the queues drained and before the store closes. */
  stop?(verk: Verk): void | Promise<void>;
  /**
   * Wraps every producer write (enqueue, bulk, schedule). Call `write()` exactly once and return
   * (or rethrow) its outcome; a rejection of `write` means nothing or not everything was written.
   * Plugins wrap in the order given, the first outermost. Only plugins that define it cost anything.
   */
  aroundEnqueue?(operation: EnqueueOperation, write: () => Promise<void>): Promise<void>;
  /**
   * Wraps every run of a job's handler on this node. `run()` resolves when the handler succeeded
   * and rejects with its error otherwise; call it exactly once and rethrow what it throws. The
   * outcome recorded for the job is the handler's own, whatever the wrapper returns. For isolated
   * queues the wrapper runs in the main thread around the remote run.
   */
  aroundPerform?(info: PerformInfo, run: () => Promise<void>): Promise<void>;
}

/**
 * Every error Verk throws on purpose is a {@link VerkError} with a stable `code`.
 * Match on `code` (or use {@link isVerkError}) rather than on messages.
 */

/** The stable machine-readable codes of {@link VerkError}. */
export type VerkErrorCode =
  /** An option passed to `createVerk`, a store or a method is invalid; `field` names it. */
  | "INVALID_OPTION"
  /** A job passed to `enqueue`/`schedule` is invalid; `field` names the offending field. */
  | "INVALID_JOB"
  /** The job's JSON is larger than `maxPayloadBytes`. */
  | "PAYLOAD_TOO_LARGE"
  /** A payload read from the store is not a valid Verk/Sidekiq job. */
  | "MALFORMED_PAYLOAD"
  /** A queue named in a call is not running on this node, or (pause/resume) is not known anywhere. */
  | "UNKNOWN_QUEUE"
  /** A queue with that name already runs on this node. */
  | "QUEUE_EXISTS"
  /** No worker is registered for a job's `class`. */
  | "UNKNOWN_WORKER"
  /** A worker with that name is already registered. */
  | "DUPLICATE_WORKER"
  /** A `defineWorker` shortcut was used before the worker was given to `createVerk`. */
  | "WORKER_NOT_BOUND"
  /** `start()` was called twice, or the instance is stopping/stopped (every store call after `stop()`). */
  | "INVALID_STATE"
  /** A job ran longer than its worker's `timeout`. */
  | "JOB_TIMEOUT"
  /** The Redis server is older than the minimum Verk needs (6.2). */
  | "UNSUPPORTED_REDIS"
  /** The store could not reach its backend. */
  | "CONNECTION_FAILED"
  /** The store answered with something Verk did not expect. */
  | "STORE_ERROR"
  /**
   * A write (enqueue, schedule, bulk) did not complete within its deadline. The job **may or
   * may not** have been written: enqueue again only if the handler is idempotent (it must be).
   */
  | "WRITE_TIMEOUT"
  /** The store refused a write because it is full (Redis `maxmemory` reached with `noeviction`). */
  | "STORE_FULL"
  /** Another live process runs with the same `nodeId`; each process needs its own. */
  | "NODE_ID_IN_USE"
  /** The `workerModule` of isolated queues is missing, throws at import, or lacks a configured class. */
  | "WORKER_MODULE"
  /** An isolated queue's worker thread or child process died (exit, crash, out of memory) while running the job. */
  | "WORKER_CRASHED"
  /** Replicas did not confirm a write within the store's `waitReplicas` timeout; it may be lost on failover. */
  | "REPLICATION_TIMEOUT";

/** Options for constructing a {@link VerkError}. */
export interface VerkErrorOptions {
  /** The field or option at fault, when there is one (e.g. `"queues.default"`, `"args"`). */
  field?: string;
  /** The underlying error. */
  cause?: unknown;
}

/** The error class of every deliberate Verk failure. */
export class VerkError extends Error {
  /** Stable code; see {@link VerkErrorCode}. */
  readonly code: VerkErrorCode;
  /** The option or job field at fault, if any. */
  readonly field: string | undefined;

  constructor(code: VerkErrorCode, message: string, options: VerkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "VerkError";
    this.code = code;
    this.field = options.field;
  }
}

/** Thrown inside a job when it exceeds its worker's `timeout`; the job then goes through the retry path. */
export class JobTimeoutError extends VerkError {
  constructor(className: string, timeoutMs: number) {
    super("JOB_TIMEOUT", `${className} timed out after ${timeoutMs} ms`, { field: "timeout" });
    this.name = "JobTimeoutError";
  }
}

/**
 * Recorded as a job failure when no worker is registered for the job's class. The job then follows
 * its `retry` field (retried, so that a later deploy can run it); a payload without `retry` is
 * dropped, as Sidekiq does, and `dropped` says so in the message.
 */
export class UnknownWorkerError extends VerkError {
  /** True when the job was dropped because its payload has no `retry` field. */
  readonly dropped: boolean;

  constructor(className: string, dropped = false) {
    super(
      "UNKNOWN_WORKER",
      dropped
        ? `no worker registered for class "${className}" on this node, and the payload has no "retry" field: the job was dropped, as Sidekiq does (producers should write "retry": true to have such jobs retried)`
        : `no worker registered for class "${className}" on this node`,
      { field: "class" },
    );
    this.name = "UnknownWorkerError";
    this.dropped = dropped;
  }
}

/**
 * True for any {@link VerkError}, also across duplicated copies of `@verk/core`
 * (where `instanceof` fails), by checking the shape.
 */
export function isVerkError(value: unknown): value is VerkError {
  if (value instanceof VerkError) return true;
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { name?: unknown }).name !== undefined &&
    typeof (value as { code?: unknown }).code === "string" &&
    String((value as { name: unknown }).name).endsWith("Error") &&
    "field" in value
  );
}

/** Shorthand for an `INVALID_OPTION` error naming `field`. */
export function invalidOption(field: string, message: string): VerkError {
  return new VerkError("INVALID_OPTION", `invalid option "${field}": ${message}`, { field });
}

/** Shorthand for an `INVALID_JOB` error naming `field`. */
export function invalidJob(field: string, message: string): VerkError {
  return new VerkError("INVALID_JOB", `invalid job: "${field}" ${message}`, { field });
}

/**
 * The messages between an isolated queue's pool (main thread) and its threads or processes.
 * Jobs cross as their payload text. Both sides batch: everything queued in one event-loop turn
 * goes out as one message (`setImmediate` flush). @internal
 *
 * main → worker: {@link InitData} (worker data / first argument), then {@link OrderBatch}es.
 * worker → main: one {@link ReadyMessage}, then {@link ResultBatch}es; a process also sends a
 * {@link FatalMessage} before it exits on an uncaught exception or unhandled rejection.
 */

import type { ReportedLimit } from "../flow/limits.js";
import type { InFlightJob } from "../in-flight-job.js";
import { describeError } from "../retry.js";

/** What a thread or process needs to start. */
export interface InitData {
  readonly mode: "thread" | "process";
  /** `file:` URL of the worker module. */
  readonly moduleUrl: string;
  /** Queue name (for log fields). */
  readonly queue: string;
}

/** Run job `id`: its payload text, and the headers plugins attached to the run (when any). */
export type RunOrder = readonly [id: number, text: string, carrier?: Record<string, string>];
/** Abort job `id`'s signal with an error of this message (its timeout passed). */
export type AbortOrder = readonly [id: number, message: string];

/** main → worker: jobs to start and signals to abort. */
export interface OrderBatch {
  readonly run?: RunOrder[];
  readonly abort?: AbortOrder[];
}

/** A worker definition found in the module, as the main thread sees it (no functions). */
export interface WorkerInfo {
  readonly name: string;
  readonly queue: string | undefined;
  readonly retry: boolean | number | undefined;
  /** ms, when set. */
  readonly timeout: number | undefined;
  /** True when it has a custom `backoff` (computed in the thread). */
  readonly backoff: boolean;
  /** Its `limit` option without the functions (flow control applies it on the main thread). */
  readonly limit?: ReportedLimit | undefined;
}

/** An error as it crosses: Sidekiq's error class and message, and the stack. */
export interface SerializedError {
  /** `error_class`, as {@link describeError} names it. */
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  /** A `code` property (e.g. a `VerkError`'s, Node's `ERR_*`), when it is a string. */
  readonly code?: string | undefined;
}

/** worker → main, once: the module loaded (its workers) or failed to (`error`). */
export type ReadyMessage =
  | { readonly t: "ready"; readonly workers: WorkerInfo[] }
  | { readonly t: "ready"; readonly error: SerializedError; readonly problem: "import" | "empty" };

/** Job `id` failed; the backoff its worker's own `backoff` chose (seconds), or null. */
export type FailReport = readonly [id: number, error: SerializedError, backoffSeconds: number | null];
/** A log call of a handler: level, message, fields (JSON-safe). */
export type LogReport = readonly [
  level: "debug" | "info" | "warn" | "error",
  message: string,
  fields: Record<string, unknown>,
];

/** worker → main: finished jobs and log lines of one turn. */
export interface ResultBatch {
  readonly t: "results";
  readonly done?: number[];
  readonly fail?: FailReport[];
  readonly log?: LogReport[];
}

/** worker → main: the process is about to exit because of an error no job could catch. */
export interface FatalMessage {
  readonly t: "fatal";
  readonly kind: "uncaught exception" | "unhandled rejection";
  readonly error: SerializedError;
}

/** Any message from a thread or process. */
export type WorkerMessage = ReadyMessage | ResultBatch | FatalMessage;

/**
 * The payload text a job crosses as: the one place that reads `InFlightJob.raw` for isolation
 * (when `raw` becomes the stored bytes, decode them here).
 */
export function payloadText(flight: InFlightJob): string {
  return flight.text;
}

/** Serialise a thrown value: class name and message as Sidekiq records them, and the stack. */
export function serializeError(error: unknown): SerializedError {
  const { errorClass, message, stack } = describeError(error);
  const code = (error as { code?: unknown } | null)?.code;
  return { name: errorClass, message, stack, code: typeof code === "string" ? code : undefined };
}

/**
 * Rebuild a serialised error in the main thread: an `Error` whose `name` is the original class,
 * so `describeError` (and `error_class`) give the same class and message as in the thread.
 */
export function deserializeError(data: SerializedError): Error {
  const error = new Error(data.message);
  error.name = data.name;
  if (data.stack !== undefined) error.stack = data.stack;
  if (data.code !== undefined) (error as Error & { code?: string }).code = data.code;
  return error;
}

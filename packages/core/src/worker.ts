import { invalidOption, VerkError } from "./errors.js";
import {
  checkExpiresIn,
  checkLimit,
  checkUnique,
  type LimitOptions,
  type UniqueOptions,
} from "./flow/options.js";
import type { JobPayload } from "./job.js";
import type { JsonArgsCheck } from "./json-value.js";
import { assertKnownKeys } from "./known-keys.js";
import type { Logger } from "./logger.js";
import type { BackoffFn } from "./retry.js";
import { runAtAfter } from "./run-at.js";
import {
  checkEnqueueOptions,
  type EnqueueOptions,
  type JobProducer,
  type ShortcutSource,
  type WorkerCall,
  workerCall,
} from "./worker-shortcuts.js";

export type { EnqueueOptions, JobProducer, WorkerCall } from "./worker-shortcuts.js";

/** What a running job can see: `this` inside `perform`. */
export interface JobContext {
  /** The job's id. */
  readonly jid: string;
  /** The queue it was fetched from. */
  readonly queue: string;
  /** The whole payload as stored. */
  readonly job: JobPayload;
  /** Aborted when the job exceeds its worker's `timeout` or the node stops hard; stop work when it fires. */
  readonly signal: AbortSignal;
  /** Failures so far minus one (Sidekiq's `retry_count`): `undefined` on a first run, 0 on the first retry. */
  readonly retryCount: number | undefined;
  /** The node's logger. */
  readonly logger: Logger;
  /**
   * String headers a plugin attached to this run (e.g. `@verk/otel`'s `traceparent` of the run's
   * span), also inside the worker thread or process of an isolated queue. Empty by default.
   */
  readonly carrier: Readonly<Record<string, string>>;
}

/** A handler: receives the job's `args` spread as parameters, with `this` bound to {@link JobContext}. */
export type PerformFn<A extends unknown[] = unknown[]> = (this: JobContext, ...args: A) => unknown;

/**
 * Options of a worker. `queue`, `retry`, `unique` and `expiresIn` are the defaults of every job of
 * this class that the Verk instance it is registered with enqueues (the typed shortcuts,
 * `verk.enqueue({ class })`, bulk, schedule, `verk enqueue`, cron jobs); a field given in the job
 * wins. `limit` applies where the jobs run.
 */
export interface WorkerOptions<A extends unknown[] = unknown[]> {
  /** Queue of this class's jobs when the job names none. (Default: `"default"`) */
  queue?: string;
  /** `retry` of this class's jobs when the job sets none; also used for payloads without `retry` that fail. (Default: `true` = 25 retries) */
  retry?: boolean | number;
  /**
   * Milliseconds a job may run before it fails with `JobTimeoutError` and its signal aborts. The
   * handler keeps its concurrency slot until it really returns. (Default: none)
   */
  timeout?: number;
  /** Custom retry delay in seconds; see {@link BackoffFn}. A backoff that throws falls back to the default. (Default: Sidekiq's formula) */
  backoff?: BackoffFn;
  /**
   * Unique jobs: while a job of this class holds its lock, equal jobs are dropped at enqueue
   * (`enqueue` resolves `null`); see {@link UniqueOptions}. Needs a store with the `flow`
   * capability (`@verk/redis-store`). (Default: none)
   * @example defineWorker("Sync", sync, { unique: { for: 300 } })
   */
  unique?: UniqueOptions<A>;
  /**
   * Cluster-wide concurrency and rate limits of this class, optionally per key; see
   * {@link LimitOptions}. Needs a store with the `flow` capability. (Default: none)
   * @example defineWorker("CallApi", call, { limit: { rate: 20, per: 1_000 } })
   */
  limit?: LimitOptions<A>;
  /**
   * Milliseconds after its enqueue (or its run time, when scheduled) after which a job of this
   * class that has not started is skipped: removed without running, counted, and reported by
   * `job:expired`; never a failure. (Default: never)
   */
  expiresIn?: number;
}

/** Keys accepted in {@link WorkerOptions}. */
export const WORKER_OPTION_KEYS = [
  "queue",
  "retry",
  "timeout",
  "backoff",
  "unique",
  "limit",
  "expiresIn",
] as const satisfies readonly (keyof WorkerOptions)[];

/** A named worker, created by {@link defineWorker}. */
export interface WorkerDefinition<A extends unknown[] = unknown[]> {
  /** The `class` name in payloads. */
  readonly name: string;
  /** The handler. */
  readonly perform: PerformFn<A>;
  /** The options given to {@link defineWorker}. */
  readonly options: Readonly<WorkerOptions>;
  /**
   * Enqueue a job for this worker through the Verk instance it was given to. Resolves the jid, or
   * `null` when the worker is `unique` and an equal job holds the lock.
   */
  enqueue(...args: A): Promise<string | null>;
  /**
   * Enqueue one job per entry of `argsList` (each an argument list), validated first, in few round
   * trips. Resolves the jids in order (`null` for a unique job dropped as a duplicate).
   */
  enqueueBulk(argsList: readonly A[]): Promise<(string | null)[]>;
  /**
   * The shortcuts with per-call options: `Worker.with({ queue: "low", retry: 3, in: 60_000 }).enqueue(...args)`.
   * @throws VerkError `INVALID_OPTION` for an unknown key or a bad value.
   */
  with(options: EnqueueOptions): WorkerCall<A>;
  /** Schedule a job for this worker at `at` (a Date or epoch milliseconds >= 1e11). Resolves the jid (`null`: a dropped duplicate). */
  scheduleAt(at: Date | number, ...args: A): Promise<string | null>;
  /** Schedule a job for this worker `delayMs` milliseconds from now. Resolves the jid (`null`: a dropped duplicate). */
  scheduleIn(delayMs: number, ...args: A): Promise<string | null>;
  /** @internal Used by `createVerk` to connect the shortcuts to an instance. */
  bindProducer(producer: JobProducer): void;
}

/**
 * Define a worker: a name (the payload's `class`) and a handler. The handler's parameters must be
 * JSON values (see `JsonValue`): a `Date`, `Map`, function, bigint or `undefined` parameter is a
 * compile error, because jobs travel as JSON; enqueueing such a value fails with `INVALID_JOB`.
 *
 * @example
 * const Add = defineWorker("Add", async (a: number, b: number) => a + b, { timeout: 5_000 });
 * @throws VerkError `INVALID_OPTION` for a bad name, handler or option (unknown keys included).
 */
export function defineWorker<A extends unknown[]>(
  name: string,
  perform: PerformFn<A> & JsonArgsCheck<A>,
  options: WorkerOptions<A> = {},
): WorkerDefinition<A> {
  if (typeof name !== "string" || name.length === 0)
    throw invalidOption("name", "must be a non-empty string");
  if (typeof perform !== "function") throw invalidOption("perform", `must be a function (worker "${name}")`);
  validateWorkerOptions(name, options);
  let producer: JobProducer | undefined;
  const bound = (): JobProducer => {
    if (!producer) {
      throw new VerkError(
        "WORKER_NOT_BOUND",
        `worker "${name}" is not part of a Verk instance: pass it in createVerk({ workers: [...] }) first`,
      );
    }
    return producer;
  };
  const source: ShortcutSource = { name, queue: options.queue, retry: options.retry, producer: bound };
  const plain = workerCall<A>(source, {});
  return Object.freeze({
    name,
    perform: perform as PerformFn<A>,
    options: Object.freeze({ ...options }) as Readonly<WorkerOptions>,
    enqueue: plain.enqueue,
    enqueueBulk: plain.enqueueBulk,
    with(call: EnqueueOptions): WorkerCall<A> {
      checkEnqueueOptions(name, call);
      return workerCall<A>(source, { ...call });
    },
    scheduleAt: async (at: Date | number, ...args: A) => workerCall<A>(source, { at }).enqueue(...args),
    scheduleIn: async (delayMs: number, ...args: A) =>
      workerCall<A>(source, { at: runAtAfter(delayMs, "delayMs") }).enqueue(...args),
    bindProducer(next: JobProducer) {
      producer = next;
    },
  });
}

function validateWorkerOptions<A extends unknown[]>(name: string, options: WorkerOptions<A>): void {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw invalidOption("options", `must be an object (worker "${name}")`);
  assertKnownKeys(options, WORKER_OPTION_KEYS, `defineWorker("${name}")`);
  if (options.queue !== undefined && (typeof options.queue !== "string" || options.queue.length === 0)) {
    throw invalidOption("queue", `must be a non-empty string (worker "${name}")`);
  }
  const retry = options.retry;
  if (retry !== undefined && typeof retry !== "boolean" && !(Number.isInteger(retry) && retry >= 0)) {
    throw invalidOption("retry", `must be true, false or a non-negative integer (worker "${name}")`);
  }
  if (options.timeout !== undefined && !(typeof options.timeout === "number" && options.timeout > 0)) {
    throw invalidOption("timeout", `must be a positive number of milliseconds (worker "${name}")`);
  }
  if (options.backoff !== undefined && typeof options.backoff !== "function") {
    throw invalidOption("backoff", `must be a function (worker "${name}")`);
  }
  try {
    checkUnique(options.unique, "unique", false);
    checkLimit(options.limit, "limit");
    checkExpiresIn(options.expiresIn, "expiresIn");
  } catch (error) {
    if (!(error instanceof VerkError)) throw error;
    throw new VerkError(error.code, `${error.message} (worker "${name}")`, { field: error.field });
  }
}

/** The workers a node can run, by name. Payload classes are only ever looked up here. */
export class WorkerRegistry {
  readonly #workers = new Map<string, WorkerDefinition<never>>();

  /** Register a worker; throws `DUPLICATE_WORKER` for a second worker with the same name. */
  add(worker: WorkerDefinition<never>): void {
    if (!worker || typeof worker.perform !== "function" || typeof worker.name !== "string") {
      throw invalidOption("workers", "each entry must come from defineWorker()");
    }
    const existing = this.#workers.get(worker.name);
    if (existing && existing !== worker) {
      throw new VerkError("DUPLICATE_WORKER", `two workers are named "${worker.name}"`, { field: "workers" });
    }
    this.#workers.set(worker.name, worker);
  }

  /** The worker for a class name, or undefined. */
  get(name: string): WorkerDefinition<never> | undefined {
    return this.#workers.get(name);
  }

  /** The worker of a payload: by `class`, then by ActiveJob's `wrapped`. */
  forJob(job: Pick<JobPayload, "class" | "wrapped">): WorkerDefinition<never> | undefined {
    const worker = this.#workers.get(job.class);
    if (worker) return worker;
    return typeof job.wrapped === "string" ? this.#workers.get(job.wrapped) : undefined;
  }

  /** All registered names. */
  names(): string[] {
    return [...this.#workers.keys()];
  }
}

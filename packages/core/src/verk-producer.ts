import type { UniqueLock } from "./capabilities/flow.js";
import { isVerkError, VerkError } from "./errors.js";
import type { VerkEventMap } from "./events.js";
import { lockOf } from "./flow/fields.js";
import type { JobPayload, NewJob } from "./job.js";
import { type JobDefaultsLookup, JobEncoder } from "./job-encoder.js";
import type { VerkPlugin } from "./plugin.js";
import { Producer, type ScheduledJob } from "./producer.js";
import { checkPauseTarget, type PauseOptions } from "./queue-control.js";
import type { StoreContext, VerkStore } from "./store.js";
import type { TimestampUnit } from "./time.js";
import type { JobProducer } from "./worker.js";

/** Errors that describe the job or an argument, not the store: passed on as they are after a stop. */
const CALLER_ERRORS = new Set(["INVALID_JOB", "PAYLOAD_TOO_LARGE", "INVALID_OPTION", "UNKNOWN_QUEUE"]);

/** What the producer side of a Verk instance is built from. @internal */
export interface ProducerSettings {
  readonly store: VerkStore;
  readonly maxPayloadBytes: number;
  readonly timestamps: TimestampUnit;
  readonly plugins: readonly VerkPlugin[];
  /** The options of the worker registered for a class, for the payload defaults. */
  readonly defaults: JobDefaultsLookup;
  /** Deadline of enqueue, schedule and bulk calls, in ms (`0`: none). */
  readonly writeTimeoutMs: number;
  /** Receives the jobs dropped as duplicates of unique jobs (the `job:duplicate` event). */
  readonly onDuplicate?: (event: VerkEventMap["job:duplicate"]) => void;
}

/** A payload built for a push, and the unique lock it takes; see {@link VerkProducer.preparePush}. */
export interface PreparedPush {
  /** The full payload (worker defaults, `enqueued_at`, flow-control fields). */
  readonly payload: JobPayload;
  /** The lock to take with the push (give it to `flow.pushUnique`), or `undefined` when the job is not unique. */
  readonly lock: UniqueLock | undefined;
}

/**
 * The half of {@link Verk} that needs only the store: connecting, enqueue, bulk enqueue, schedule,
 * bulk schedule, worker defaults, pause/resume, and the "stopped" guard that turns store calls
 * after `stop()` into a typed `INVALID_STATE` error instead of a raw client error
 * (`Connection is closed.`).
 */
export abstract class VerkProducer implements JobProducer {
  /** The store; add-ons may use it. */
  readonly store: VerkStore;
  readonly #encoder: JobEncoder;
  readonly #producer: Producer;
  #closed = false;
  #connecting: Promise<void> | undefined;
  /** Set once {@link connect} resolved (the store then reconnects by itself). */
  #connected = false;

  protected constructor(settings: ProducerSettings) {
    this.store = settings.store;
    this.#encoder = new JobEncoder(settings.maxPayloadBytes, settings.timestamps, settings.defaults);
    this.#producer = new Producer({
      store: settings.store,
      encoder: this.#encoder,
      hooks: settings.plugins.flatMap((p) => (p.aroundEnqueue ? [p.aroundEnqueue.bind(p)] : [])),
      connect: () => this.connect(),
      isConnected: () => this.#connected && !this.#closed,
      guard: (what, call) => this.guard(what, call),
      writeTimeoutMs: settings.writeTimeoutMs,
      ...(settings.onDuplicate ? { onDuplicate: settings.onDuplicate } : {}),
    });
  }

  /**
   * Connect the store (idempotent). `enqueue` and `start` call it for you.
   * @throws VerkError `INVALID_STATE` once the instance is stopped.
   */
  connect(): Promise<void> {
    if (this.#closed) return Promise.reject(this.stoppedError("connect"));
    this.#connecting ??= this.store.connect(this.storeContext()).then(
      () => {
        this.#connected = true;
      },
      (error: unknown) => {
        this.#connecting = undefined;
        throw error;
      },
    );
    return this.#connecting;
  }

  /**
   * Enqueue one job. Fields it leaves out (`queue`, `retry`) take the options of the worker
   * registered for its class on this instance (`queue`, `retry`, `unique`, `expiresIn`). Resolves
   * its jid, or `null` when it is unique (its own `unique` or its worker's) and was dropped because
   * an equal job holds the lock (as Sidekiq's client returns nil); `job:duplicate` reports it.
   * @throws VerkError `INVALID_JOB` (naming the field, e.g. `args[1].when: Date is not a JSON value`)
   * or `PAYLOAD_TOO_LARGE` before writing anything; `INVALID_STATE` once the instance is stopped.
   */
  enqueue(job: NewJob): Promise<string | null> {
    return this.#producer.enqueue(job);
  }

  /**
   * Enqueue many jobs in few round trips. Every job is validated first: one invalid job
   * throws (naming `jobs[i].field`) and nothing is written. Resolves the jids in order; the entry of
   * a unique job dropped as a duplicate is `null` (jobs that are not unique always get their jid).
   */
  enqueueBulk(jobs: readonly NewJob[]): Promise<(string | null)[]> {
    return this.#producer.enqueueBulk(jobs);
  }

  /**
   * Schedule a job to be enqueued at `at`: a `Date` or epoch **milliseconds**. A time in the past
   * enqueues at once. Resolves the jid, or `null` for a unique job dropped as a duplicate (a
   * scheduled unique job takes its lock when scheduled, for `unique.for` plus the delay).
   * @throws VerkError `INVALID_OPTION` (field `at`) for a number below 1e11, which can only be
   * epoch seconds or a delay (use `Worker.scheduleIn` or `Worker.with({ in })` for delays).
   */
  schedule(job: NewJob, at: Date | number): Promise<string | null> {
    return this.#producer.schedule(job, at);
  }

  /**
   * Schedule many jobs, each at its own time (a Date or epoch milliseconds >= 1e11), in few round
   * trips. Every job is validated first: one invalid entry throws (naming `jobs[i]`) and nothing is
   * written. Entries due now or in the past are enqueued at once. Resolves the jids in order
   * (`null` for a unique job dropped as a duplicate).
   */
  scheduleBulk(entries: readonly ScheduledJob[]): Promise<(string | null)[]> {
    return this.#producer.scheduleBulk(entries);
  }

  /**
   * Build the payload `job` is pushed with now, as `enqueue` would (worker defaults, `enqueued_at`,
   * the `unique_*` and `expires_at` fields), and the unique lock it takes, without writing
   * anything. For add-ons that write payloads themselves (`@verk/scheduler`'s cron jobs push it
   * with `flow.pushUnique` when `lock` is set).
   * @throws VerkError `INVALID_JOB` / `PAYLOAD_TOO_LARGE` as `enqueue`.
   */
  preparePush(job: NewJob): PreparedPush {
    const payload = this.#encoder.buildForQueue(job);
    const now = Date.now();
    return { payload, lock: lockOf(payload, now, now) };
  }

  /**
   * `job` with the options of the worker registered for its class on this instance filled in
   * where it leaves them out (`queue`, `retry`), as every enqueue of this instance does.
   * For add-ons that write payloads themselves (e.g. `@verk/scheduler`'s cron jobs).
   */
  jobWithDefaults(job: NewJob): NewJob {
    return this.#encoder.withDefaults(job);
  }

  /**
   * Pause `name` on every node (stored in the store, so it survives restarts). Running jobs finish.
   * The queue must be known: run by this node, in the store's queues registry, with jobs, paused,
   * or served by a live node (when the store can tell); else `UNKNOWN_QUEUE`, unless `{ force: true }`.
   * @throws VerkError `UNKNOWN_QUEUE`, `INVALID_OPTION`, `INVALID_STATE` once stopped.
   */
  pauseQueue(name: string, options?: PauseOptions): Promise<void> {
    return this.#setPaused(name, true, options);
  }

  /** Resume `name` on every node. Same rule for unknown queues as {@link VerkProducer.pauseQueue}. */
  resumeQueue(name: string, options?: PauseOptions): Promise<void> {
    return this.#setPaused(name, false, options);
  }

  /** Where the store reports its warnings (the instance's logger and `error` events). */
  protected abstract storeContext(): StoreContext | undefined;

  /** The queue names this instance runs (none for a producer-only instance). */
  protected abstract localQueues(): Iterable<string>;

  /** Apply a pause or resume just stored to this instance's own runner of `name`. */
  protected abstract applyPause(name: string, paused: boolean): void;

  #setPaused(name: string, paused: boolean, options: PauseOptions | undefined): Promise<void> {
    const action = paused ? "pause" : "resume";
    return this.guard(`${action}Queue`, async () => {
      await this.connect();
      await checkPauseTarget(this.store, name, options, this.localQueues(), action);
      await this.store.setPaused(name, paused);
      this.applyPause(name, paused);
    });
  }

  /** True once the store was closed by `stop()` (or a failed `start()`). */
  protected get closed(): boolean {
    return this.#closed;
  }

  /** Mark the store closed: from now on every store call fails with `INVALID_STATE`. */
  protected markClosed(): void {
    this.#closed = true;
  }

  /** Run a store call; once the store is closed, fail with `INVALID_STATE` instead of a raw client error. */
  protected guard<T>(what: string, call: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(this.stoppedError(what));
    let result: Promise<T>;
    try {
      result = call();
    } catch (error) {
      return Promise.reject(this.#afterStop(what, error));
    }
    // Not an async function: the hot enqueue path saves its extra promise turns.
    return result.catch((error: unknown) => {
      throw this.#afterStop(what, error);
    });
  }

  /** `error`, or the `INVALID_STATE` error when the instance stopped meanwhile (caller errors stay). */
  #afterStop(what: string, error: unknown): unknown {
    if (this.#closed && !(isVerkError(error) && CALLER_ERRORS.has(error.code)))
      return this.stoppedError(what, error);
    return error;
  }

  /** The `INVALID_STATE` error of a call made after the instance stopped. */
  protected stoppedError(what: string, cause?: unknown): VerkError {
    return new VerkError(
      "INVALID_STATE",
      `cannot ${what}: this Verk instance is stopped (stop() closed its store); create a new one with createVerk()`,
      cause === undefined ? {} : { cause },
    );
  }
}

import { invalidOption, VerkError } from "./errors.js";
import { checkExpiresIn, checkUnique, type UniqueOptions } from "./flow/options.js";
import type { NewJob } from "./job.js";
import { assertKnownKeys } from "./known-keys.js";
import type { ScheduledJob } from "./producer.js";
import { resolveRunAt, runAtAfter } from "./run-at.js";

/** Where typed shortcuts send their jobs; a Verk instance. */
export interface JobProducer {
  enqueue(job: NewJob): Promise<string | null>;
  enqueueBulk(jobs: readonly NewJob[]): Promise<(string | null)[]>;
  schedule(job: NewJob, at: Date | number): Promise<string | null>;
  scheduleBulk(entries: readonly ScheduledJob[]): Promise<(string | null)[]>;
}

/**
 * Per-call options of the typed shortcuts (`Worker.with(options)`). Each one overrides the
 * worker's own option for this call only.
 */
export interface EnqueueOptions {
  /** Queue of this job. (Default: the worker's `queue` option, else `"default"`) */
  queue?: string;
  /** `retry` of this job: `true` (25), `false` (no retry, no dead set) or a number. (Default: the worker's `retry`) */
  retry?: boolean | number;
  /** Job id of this job (not allowed for bulk calls). (Default: a generated one) */
  jid?: string;
  /** Run at this time: a `Date` or epoch **milliseconds** (>= 1e11); a past time enqueues at once. (Default: now) */
  at?: Date | number;
  /** Run after this many **milliseconds**; not together with `at`. (Default: now) */
  in?: number;
  /** Unique-job options of this job, or `false` to turn the worker's off (see `UniqueOptions`). (Default: the worker's `unique`) */
  unique?: UniqueOptions | false;
  /** Milliseconds after which this job, if not started, is skipped. (Default: the worker's `expiresIn`) */
  expiresIn?: number;
}

/** Keys accepted in {@link EnqueueOptions}. */
export const ENQUEUE_OPTION_KEYS = [
  "queue",
  "retry",
  "jid",
  "at",
  "in",
  "unique",
  "expiresIn",
] as const satisfies readonly (keyof EnqueueOptions)[];

/** The typed shortcuts of a worker with per-call options applied; from `Worker.with(options)`. */
export interface WorkerCall<A extends unknown[]> {
  /** Enqueue (or, with `at`/`in`, schedule) one job with these arguments. Resolves its jid (`null`: a dropped duplicate of a unique job). */
  enqueue(...args: A): Promise<string | null>;
  /**
   * Enqueue (or, with `at`/`in`, schedule) one job per entry of `argsList`, all validated before
   * anything is written, in few round trips. Resolves the jids in order (`null` for a dropped duplicate).
   */
  enqueueBulk(argsList: readonly A[]): Promise<(string | null)[]>;
}

/** What the shortcuts know about their worker. @internal */
export interface ShortcutSource {
  readonly name: string;
  readonly queue: string | undefined;
  readonly retry: boolean | number | undefined;
  readonly producer: () => JobProducer;
}

/** Validate per-call options. @throws VerkError `INVALID_OPTION` naming the option. */
export function checkEnqueueOptions(worker: string, options: EnqueueOptions): void {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw invalidOption("options", `${worker}.with() takes an options object`);
  assertKnownKeys(options, ENQUEUE_OPTION_KEYS, `${worker}.with`);
  if (options.queue !== undefined && (typeof options.queue !== "string" || options.queue.length === 0))
    throw invalidOption("queue", `must be a non-empty string (${worker}.with)`);
  const retry = options.retry;
  if (retry !== undefined && typeof retry !== "boolean" && !(Number.isInteger(retry) && retry >= 0))
    throw invalidOption("retry", `must be true, false or a non-negative integer (${worker}.with)`);
  if (options.jid !== undefined && (typeof options.jid !== "string" || options.jid.length === 0))
    throw invalidOption("jid", `must be a non-empty string (${worker}.with)`);
  if (options.at !== undefined && options.in !== undefined)
    throw invalidOption("at", `give either "at" or "in", not both (${worker}.with)`);
  if (options.at !== undefined) resolveRunAt(options.at, "at");
  if (options.in !== undefined) runAtAfter(options.in, "in");
  checkUnique(options.unique, "unique", true);
  checkExpiresIn(options.expiresIn, "expiresIn");
}

/** Build the job of one shortcut call. */
export function shortcutJob(source: ShortcutSource, options: EnqueueOptions, args: unknown[]): NewJob {
  const retry = options.retry ?? source.retry;
  const job: NewJob = { class: source.name, queue: options.queue ?? source.queue ?? "default", args };
  if (retry !== undefined) job.retry = retry;
  if (options.jid !== undefined) job.jid = options.jid;
  if (options.unique !== undefined) job.unique = options.unique;
  if (options.expiresIn !== undefined) job.expiresIn = options.expiresIn;
  return job;
}

/** The run time of a shortcut call, epoch ms, or `undefined` for "now". */
function runAt(options: EnqueueOptions): number | undefined {
  if (options.at !== undefined) return resolveRunAt(options.at, "at");
  if (options.in !== undefined) return runAtAfter(options.in, "in");
  return undefined;
}

/** The shortcuts of `source` with `options` applied. */
export function workerCall<A extends unknown[]>(
  source: ShortcutSource,
  options: EnqueueOptions,
): WorkerCall<A> {
  return Object.freeze({
    enqueue: async (...args: A): Promise<string | null> => {
      const job = shortcutJob(source, options, args);
      const at = runAt(options);
      return at === undefined ? source.producer().enqueue(job) : source.producer().schedule(job, at);
    },
    enqueueBulk: async (argsList: readonly A[]): Promise<(string | null)[]> => {
      if (!Array.isArray(argsList))
        throw invalidOption("argsList", `${source.name}.enqueueBulk takes an array of argument arrays`);
      if (options.jid !== undefined) {
        throw new VerkError(
          "INVALID_OPTION",
          `"jid" cannot be shared by the jobs of ${source.name}.enqueueBulk`,
          {
            field: "jid",
          },
        );
      }
      const jobs = argsList.map((args, index) => {
        if (!Array.isArray(args))
          throw invalidOption(`argsList[${index}]`, "must be an array of the job's arguments");
        return shortcutJob(source, options, args);
      });
      const at = runAt(options);
      if (at === undefined) return source.producer().enqueueBulk(jobs);
      return source.producer().scheduleBulk(jobs.map((job) => ({ job, at })));
    },
  });
}

import { invalidOption } from "./errors.js";
import { generateNodeId } from "./ids.js";
import {
  NODE_ISOLATION_KEYS,
  type NodeIsolationOptions,
  QUEUE_ISOLATION_KEYS,
  type QueueIsolationOptions,
  type ResolvedIsolation,
  resolveIsolation,
} from "./isolation/options.js";
import { assertKnownKeys } from "./known-keys.js";
import { type LivenessOptions, resolveLiveness } from "./liveness/options.js";
import { consoleLogger, type Logger, type LogLevel } from "./logger.js";
import type { VerkPlugin } from "./plugin.js";
import { DEFAULT_DEAD_LIMITS, DEFAULT_MAX_RETRIES } from "./retry.js";
import type { DeadSetLimits, VerkStore } from "./store.js";
import type { TimestampUnit } from "./time.js";
import type { WorkerDefinition } from "./worker.js";
import { DEFAULT_WRITE_TIMEOUT_MS } from "./write-deadline.js";

/** Per-queue settings; a bare number is the concurrency. Isolation: see {@link QueueIsolationOptions}. */
export interface QueueOptions extends QueueIsolationOptions {
  /** Maximum jobs of this queue running at once on this node. Integer >= 1. */
  concurrency: number;
}

/** Options of {@link createVerk}. Isolation (`workerModule`, `blockWarningMs`): see {@link NodeIsolationOptions}. */
export interface VerkOptions extends NodeIsolationOptions {
  /** Where jobs live: `redisStore(...)` from `@verk/redis-store`, or a `MemoryStore` in tests. Required. */
  store: VerkStore;
  /** Queues this node runs: name → concurrency (or {@link QueueOptions}). (Default: none, a producer-only instance) */
  queues?: Record<string, number | QueueOptions>;
  /** Workers this node can run. Only these classes ever run. (Default: none) */
  workers?: readonly WorkerDefinition<never>[];
  /**
   * This node's identity; keep it unique per process: `start()` rejects with `NODE_ID_IN_USE`
   * while another live process beats under the same id. (Default: `<host>:<pid>:<random hex>`)
   */
  nodeId?: string;
  /**
   * Heartbeats and crash recovery (see {@link LivenessOptions} for safe ranges). (Default:
   * heartbeat 5 s, TTL 30 s, 3 recoveries, keep-alive thread for event-loop blocks up to 60 s)
   */
  liveness?: LivenessOptions;
  /** Logger. (Default: one line per message on stderr at `logLevel`) */
  logger?: Logger;
  /** Level of the default logger. (Default: `"warn"`) */
  logLevel?: LogLevel;
  /** Default milliseconds `stop()` waits for running jobs before putting them back. (Default: 30,000) */
  shutdownTimeoutMs?: number;
  /** Retries for jobs with `retry: true`. (Default: 25) */
  maxRetries?: number;
  /** Dead-set limits. (Default: 10,000 jobs, 180 days) */
  dead?: Partial<DeadSetLimits>;
  /**
   * The built-in promoter of due `schedule`/`retry` jobs wakes at the next due time (by the
   * store's clock) and when a sooner job is announced; this is how often it checks when nothing is
   * known to be due, in ms. `0` disables it (e.g. when `@verk/scheduler` is used). (Default: 1,000)
   */
  pollIntervalMs?: number;
  /** Longest a fetch blocks waiting for a job before looping, in ms. (Default: 2,000) */
  fetchBlockMs?: number;
  /** Milliseconds between re-reads of the paused queues, a fallback for missed notifications. (Default: 5,000) */
  controlSyncMs?: number;
  /** Largest job JSON accepted by enqueue, in bytes. (Default: 1,048,576 = 1 MiB) */
  maxPayloadBytes?: number;
  /**
   * Deadline of `enqueue`, `enqueueBulk`, `schedule`, `scheduleBulk` (and the worker shortcuts),
   * in ms: a call the store has not answered by then (Redis stalled or down) rejects with
   * `WRITE_TIMEOUT`, and the job **may or may not** have been written (a write already sent still
   * lands when Redis answers). `0` waits as long as the store does. (Default: 10,000)
   */
  writeTimeoutMs?: number;
  /** Add-ons such as `stats()` from `@verk/stats`. (Default: none) */
  plugins?: readonly VerkPlugin[];
  /**
   * Largest fetched job JSON a queue accepts, in bytes: a bigger payload (e.g. pushed by another
   * producer) goes to the dead set with its raw bytes, counted as failed, unread. (Default: 16,777,216 = 16 MiB)
   */
  maxFetchPayloadBytes?: number;
  /**
   * While the node runs, an exception thrown (or a promise rejected without handler) inside a
   * callback a job handler scheduled (e.g. in a `setTimeout`) fails that job instead of crashing
   * the process; errors that belong to no job still crash it. (Default: `true`)
   */
  containUncaught?: boolean;
  /**
   * Unit of the times written into payloads (`created_at`, `enqueued_at`, `failed_at`,
   * `retried_at`): `"seconds"` (Float, Sidekiq 6.x/7.x, safe for 8.x readers) or
   * `"milliseconds"` (integers, as Sidekiq 8 writes them). Both are always read. (Default: `"seconds"`)
   */
  timestamps?: TimestampUnit;
}

/** {@link VerkOptions} with every default applied and validated. */
export interface ResolvedOptions {
  store: VerkStore;
  queues: Map<string, number>;
  workers: readonly WorkerDefinition<never>[];
  nodeId: string;
  liveness: LivenessOptions;
  logger: Logger;
  shutdownTimeoutMs: number;
  maxRetries: number;
  dead: DeadSetLimits;
  pollIntervalMs: number;
  fetchBlockMs: number;
  controlSyncMs: number;
  maxPayloadBytes: number;
  writeTimeoutMs: number;
  plugins: readonly VerkPlugin[];
  maxFetchPayloadBytes: number;
  containUncaught: boolean;
  timestamps: TimestampUnit;
  /** Isolated queues, `workerModule`, `blockWarningMs`. */
  isolation: ResolvedIsolation;
}

/** Validate a queue name and concurrency (and the keys of a {@link QueueOptions}); throws `INVALID_OPTION` naming the field. */
export function resolveConcurrency(name: string, value: number | QueueOptions, field: string): number {
  if (typeof name !== "string" || name.length === 0)
    throw invalidOption(field, "queue names must be non-empty");
  if (typeof value === "object" && value !== null) assertKnownKeys(value, QUEUE_OPTION_KEYS, field);
  const concurrency = typeof value === "number" ? value : value?.concurrency;
  if (!Number.isInteger(concurrency) || (concurrency as number) < 1) {
    throw invalidOption(field, `concurrency must be an integer >= 1, got ${JSON.stringify(concurrency)}`);
  }
  return concurrency as number;
}

function positive(field: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalidOption(
      field,
      `must be a ${allowZero ? "non-negative" : "positive"} number, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Every key `createVerk` accepts. `workerModule` belongs to isolated queues (their branch adds
 * its type); listing it here keeps both changes mergeable.
 */
export const VERK_OPTION_KEYS = [
  "store",
  "queues",
  "workers",
  "nodeId",
  "logger",
  "logLevel",
  "shutdownTimeoutMs",
  "maxRetries",
  "dead",
  "pollIntervalMs",
  "fetchBlockMs",
  "controlSyncMs",
  "maxPayloadBytes",
  "writeTimeoutMs",
  "plugins",
  "maxFetchPayloadBytes",
  "containUncaught",
  "timestamps",
  "liveness",
  ...NODE_ISOLATION_KEYS,
] as const satisfies readonly (keyof VerkOptions)[];

/** Every key of a {@link QueueOptions} object (`isolation`, `poolSize`, `resourceLimits`: isolated queues). */
export const QUEUE_OPTION_KEYS = [
  "concurrency",
  ...QUEUE_ISOLATION_KEYS,
] as const satisfies readonly (keyof QueueOptions)[];

/** Every key of `dead`. */
export const DEAD_OPTION_KEYS = [
  "maxJobs",
  "maxAgeSeconds",
] as const satisfies readonly (keyof DeadSetLimits)[];

// Compile-time check that no option of VerkOptions is missing from VERK_OPTION_KEYS.
type Unlisted = Exclude<keyof VerkOptions, (typeof VERK_OPTION_KEYS)[number]>;
const everyOptionListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyOptionListed;

/** Apply defaults and validate; throws `INVALID_OPTION` naming the field (unknown keys too, with the closest known one). */
export function resolveOptions(options: VerkOptions): ResolvedOptions {
  if (!options || typeof options !== "object")
    throw invalidOption("options", "createVerk needs an options object");
  assertKnownKeys(options, VERK_OPTION_KEYS, "createVerk");
  if (options.dead !== undefined) assertKnownKeys(options.dead, DEAD_OPTION_KEYS, "dead");
  const store = options.store;
  if (!store || typeof store.push !== "function" || typeof store.openQueue !== "function") {
    throw invalidOption("store", "must be a Verk store, e.g. redisStore({ url }) from @verk/redis-store");
  }
  const queues = new Map<string, number>();
  for (const [name, value] of Object.entries(options.queues ?? {})) {
    queues.set(name, resolveConcurrency(name, value, `queues.${name}`));
  }
  if (options.workers !== undefined && !Array.isArray(options.workers)) {
    throw invalidOption("workers", "must be an array of defineWorker() results");
  }
  if (options.nodeId !== undefined && (typeof options.nodeId !== "string" || options.nodeId.length === 0)) {
    throw invalidOption("nodeId", "must be a non-empty string");
  }
  const maxRetries = positive("maxRetries", options.maxRetries, DEFAULT_MAX_RETRIES, true);
  if (!Number.isInteger(maxRetries)) throw invalidOption("maxRetries", "must be an integer");
  const dead: DeadSetLimits = {
    maxJobs: positive("dead.maxJobs", options.dead?.maxJobs, DEFAULT_DEAD_LIMITS.maxJobs),
    maxAgeSeconds: positive(
      "dead.maxAgeSeconds",
      options.dead?.maxAgeSeconds,
      DEFAULT_DEAD_LIMITS.maxAgeSeconds,
    ),
  };
  if (options.plugins !== undefined && !Array.isArray(options.plugins)) {
    throw invalidOption("plugins", "must be an array");
  }
  return {
    store,
    queues,
    workers: options.workers ?? [],
    nodeId: options.nodeId ?? generateNodeId(),
    liveness: checkLiveness(options.liveness),
    logger: options.logger ?? consoleLogger(options.logLevel ?? "warn"),
    shutdownTimeoutMs: positive("shutdownTimeoutMs", options.shutdownTimeoutMs, 30_000, true),
    maxRetries,
    dead,
    pollIntervalMs: positive("pollIntervalMs", options.pollIntervalMs, 1_000, true),
    fetchBlockMs: positive("fetchBlockMs", options.fetchBlockMs, 2_000),
    controlSyncMs: positive("controlSyncMs", options.controlSyncMs, 5_000),
    maxPayloadBytes: positive("maxPayloadBytes", options.maxPayloadBytes, 1_048_576),
    writeTimeoutMs: positive("writeTimeoutMs", options.writeTimeoutMs, DEFAULT_WRITE_TIMEOUT_MS, true),
    plugins: options.plugins ?? [],
    maxFetchPayloadBytes: positive("maxFetchPayloadBytes", options.maxFetchPayloadBytes, 16_777_216),
    containUncaught: options.containUncaught ?? true,
    timestamps: resolveTimestamps(options.timestamps),
    isolation: resolveIsolation(options, queues),
  };
}

function resolveTimestamps(value: TimestampUnit | undefined): TimestampUnit {
  if (value === undefined) return "seconds";
  if (value !== "seconds" && value !== "milliseconds") {
    throw invalidOption("timestamps", `must be "seconds" or "milliseconds", got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkLiveness(value: LivenessOptions | undefined): LivenessOptions {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object")
    throw invalidOption("liveness", "must be an options object");
  resolveLiveness(value); // validates (store defaults are merged at start)
  return value;
}

import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { invalidOption } from "../errors.js";
import { assertKnownKeys } from "../known-keys.js";

/**
 * Where a queue's handlers run: `"none"` on the main event loop (the default), `"thread"` in a
 * pool of worker threads, `"process"` in a pool of child processes (survives native crashes).
 */
export type IsolationMode = "none" | "thread" | "process";

/**
 * V8 heap limits of each thread or process of an isolated queue, in MiB (Node's
 * `worker_threads` `resourceLimits`). In `"process"` mode `maxOldGenerationSizeMb` becomes
 * `--max-old-space-size`, `maxYoungGenerationSizeMb` `--max-semi-space-size` (a third of it) and
 * `stackSizeMb` `--stack-size`; `codeRangeSizeMb` applies to threads only. (Default: Node's)
 */
export interface IsolationResourceLimits {
  /** Largest main (old generation) heap, MiB. */
  maxOldGenerationSizeMb?: number;
  /** Largest heap for new objects (young generation), MiB. */
  maxYoungGenerationSizeMb?: number;
  /** Memory reserved for generated code, MiB (threads only). */
  codeRangeSizeMb?: number;
  /** Default stack size of the thread, MiB. */
  stackSizeMb?: number;
}

/** The isolation settings of one queue, part of `queues: { name: { concurrency, ... } }`. */
export interface QueueIsolationOptions {
  /** Where the handlers run; see {@link IsolationMode}. (Default: `"none"`) */
  isolation?: IsolationMode;
  /**
   * Threads or processes in the pool, integer from 1 to `concurrency`. Below the concurrency each
   * runs several jobs at once (`concurrency / poolSize`, rounded). (Default: the concurrency)
   */
  poolSize?: number;
  /** Heap limits of each thread or process; see {@link IsolationResourceLimits}. (Default: Node's) */
  resourceLimits?: IsolationResourceLimits;
  /**
   * Milliseconds a timed-out job of an isolated queue gets, after its `signal` aborted, to end
   * before its thread or process is terminated. (Default: 1,000)
   */
  timeoutGraceMs?: number;
  /**
   * Worker classes this isolated queue runs; `start()` fails with `WORKER_MODULE` when
   * `workerModule` does not export each of them. (Default: the `workers` given to `createVerk`
   * whose `queue` option names this queue)
   */
  classes?: readonly string[];
}

/** Node-wide isolation settings, part of the options of `createVerk`. */
export interface NodeIsolationOptions {
  /**
   * The module isolated queues take their handlers from: a file path (relative to the working
   * directory) or a `file:` URL of an ES module or CommonJS file. Every `defineWorker()` result
   * among its exports (also inside exported arrays, and the CommonJS `module.exports`) is loaded
   * in each thread or process. Required when a queue has `isolation` other than `"none"`. (Default: none)
   */
  workerModule?: string | URL;
  /**
   * In-process queues: log a warning naming the queue and class when one handler call blocks the
   * event loop longer than this many milliseconds (its synchronous part, measured directly), and
   * when the loop was blocked that long while in-process handlers ran (`monitorEventLoopDelay`).
   * Warnings repeat at most once a minute per queue and class. `0` turns it off. (Default: 100)
   */
  blockWarningMs?: number;
}

/** Every key of {@link QueueIsolationOptions}, for unknown-option checks. */
export const QUEUE_ISOLATION_KEYS = [
  "isolation",
  "poolSize",
  "resourceLimits",
  "timeoutGraceMs",
  "classes",
] as const;

/** Every key of {@link NodeIsolationOptions}, for unknown-option checks. */
export const NODE_ISOLATION_KEYS = ["workerModule", "blockWarningMs"] as const;

const LIMIT_KEYS = ["maxOldGenerationSizeMb", "maxYoungGenerationSizeMb", "codeRangeSizeMb", "stackSizeMb"];

/** Default grace after a timeout before an isolated job's thread or process is terminated, ms. */
export const DEFAULT_TIMEOUT_GRACE_MS = 1_000;
/** Default threshold of the in-process blocked-event-loop warning, ms. */
export const DEFAULT_BLOCK_WARNING_MS = 100;

/** Validated settings of one isolated queue. @internal */
export interface QueueIsolation {
  readonly mode: "thread" | "process";
  readonly concurrency: number;
  readonly poolSize: number;
  readonly resourceLimits: Readonly<IsolationResourceLimits>;
  readonly timeoutGraceMs: number;
  readonly classes: readonly string[] | undefined;
}

/** Validated node-wide isolation settings. @internal */
export interface ResolvedIsolation {
  /** Absolute path of the worker module, when given. */
  readonly workerModule: string | undefined;
  readonly blockWarningMs: number;
  /** Only the isolated queues. */
  readonly queues: Map<string, QueueIsolation>;
}

/**
 * Validate one queue's isolation settings; `undefined` for an in-process queue. Throws
 * `INVALID_OPTION` naming the field.
 */
export function resolveQueueIsolation(
  name: string,
  value: unknown,
  concurrency: number,
): QueueIsolation | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const options = value as QueueIsolationOptions;
  const field = `queues.${name}`;
  const mode = options.isolation ?? "none";
  if (mode !== "none" && mode !== "thread" && mode !== "process") {
    throw invalidOption(
      `${field}.isolation`,
      `must be "none", "thread" or "process", got ${JSON.stringify(mode)}`,
    );
  }
  const extras = (["poolSize", "resourceLimits", "timeoutGraceMs", "classes"] as const).filter(
    (key) => options[key] !== undefined,
  );
  if (mode === "none") {
    if (extras.length > 0)
      throw invalidOption(
        `${field}.${extras[0]}`,
        'applies only to isolated queues (isolation "thread" or "process")',
      );
    return undefined;
  }
  const poolSize = options.poolSize ?? concurrency;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > concurrency) {
    throw invalidOption(
      `${field}.poolSize`,
      `must be an integer from 1 to the concurrency (${concurrency}), got ${JSON.stringify(options.poolSize)}`,
    );
  }
  const limits = options.resourceLimits ?? {};
  if (typeof limits !== "object" || limits === null || Array.isArray(limits))
    throw invalidOption(`${field}.resourceLimits`, "must be an object of MiB limits");
  assertKnownKeys(limits, LIMIT_KEYS, `${field}.resourceLimits`);
  for (const [key, limit] of Object.entries(limits)) {
    if (limit !== undefined && !(typeof limit === "number" && Number.isFinite(limit) && limit > 0))
      throw invalidOption(
        `${field}.resourceLimits.${key}`,
        `must be a positive number of MiB, got ${String(limit)}`,
      );
  }
  const grace = options.timeoutGraceMs ?? DEFAULT_TIMEOUT_GRACE_MS;
  if (typeof grace !== "number" || !Number.isFinite(grace) || grace < 0)
    throw invalidOption(
      `${field}.timeoutGraceMs`,
      `must be a non-negative number of ms, got ${String(grace)}`,
    );
  const classes = options.classes;
  if (
    classes !== undefined &&
    (!Array.isArray(classes) || classes.some((c) => typeof c !== "string" || c.length === 0))
  ) {
    throw invalidOption(`${field}.classes`, "must be an array of worker class names");
  }
  return {
    mode,
    concurrency,
    poolSize,
    resourceLimits: Object.freeze({ ...limits }),
    timeoutGraceMs: grace,
    classes: classes ? [...classes] : undefined,
  };
}

/** Turn `workerModule` (path or `file:` URL) into an absolute path. Throws `INVALID_OPTION`. */
export function resolveWorkerModulePath(value: string | URL | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof URL || (typeof value === "string" && value.startsWith("file:"))) {
    try {
      return fileURLToPath(value);
    } catch (error) {
      throw invalidOption("workerModule", `not a file: URL (${(error as Error).message})`);
    }
  }
  if (typeof value !== "string" || value.length === 0)
    throw invalidOption("workerModule", "must be a file path or a file: URL");
  return isAbsolute(value) ? value : resolve(process.cwd(), value);
}

/** The `file:` URL a thread or process imports the worker module from. */
export function workerModuleUrl(path: string): string {
  return pathToFileURL(path).href;
}

/** True when the worker module file exists. */
export function workerModuleExists(path: string): boolean {
  return existsSync(path);
}

/**
 * Validate the node-wide isolation options and every queue's (`queues` as given to
 * `createVerk`, `concurrency` already validated). Throws `INVALID_OPTION` naming the field.
 */
export function resolveIsolation(
  options: NodeIsolationOptions & { queues?: Record<string, unknown> },
  concurrency: ReadonlyMap<string, number>,
): ResolvedIsolation {
  const queues = new Map<string, QueueIsolation>();
  for (const [name, value] of Object.entries(options.queues ?? {})) {
    const resolved = resolveQueueIsolation(name, value, concurrency.get(name) ?? 1);
    if (resolved) queues.set(name, resolved);
  }
  const workerModule = resolveWorkerModulePath(options.workerModule);
  if (queues.size > 0 && workerModule === undefined) {
    const [first] = queues.keys();
    throw invalidOption(
      "workerModule",
      `queue "${first}" is isolated; isolated queues load their handlers from workerModule (a file exporting defineWorker() results)`,
    );
  }
  const blockWarningMs = options.blockWarningMs ?? DEFAULT_BLOCK_WARNING_MS;
  if (typeof blockWarningMs !== "number" || !Number.isFinite(blockWarningMs) || blockWarningMs < 0)
    throw invalidOption(
      "blockWarningMs",
      `must be a non-negative number of ms, got ${String(blockWarningMs)}`,
    );
  return { workerModule, blockWarningMs, queues };
}

import { invalidOption, VerkError } from "../errors.js";
import type { JobExecutor } from "../executor.js";
import type { ReportedLimit } from "../flow/limits.js";
import { InProcessExecutor } from "../in-process-executor.js";
import type { Logger } from "../logger.js";
import type { WorkerRegistry } from "../worker.js";
import { BlockMonitor, BlockWatchExecutor, type RunningHandler } from "./block-watch.js";
import { workerEntryPath } from "./entry-path.js";
import {
  type QueueIsolation,
  type ResolvedIsolation,
  resolveQueueIsolation,
  workerModuleExists,
  workerModuleUrl,
} from "./options.js";
import { IsolatedExecutor } from "./pool.js";
import type { WorkerInfo } from "./protocol.js";

/**
 * The executors of one Verk node: a started pool per isolated queue (started in `start()`, so a
 * bad `workerModule` fails there), the in-process executor with the blocked-loop warning for the
 * rest. @internal
 */
export class IsolationRuntime {
  readonly #settings: ResolvedIsolation;
  readonly #registry: WorkerRegistry;
  readonly #logger: Logger;
  /** Started pools not yet handed to a queue runner (which then owns and closes it). */
  readonly #pools = new Map<string, IsolatedExecutor>();
  readonly #monitor: BlockMonitor;
  /** The limits the started pools' modules declare, by class (flow control enforces them here). */
  readonly #reportedLimits = new Map<string, ReportedLimit>();

  constructor(
    settings: ResolvedIsolation,
    registry: WorkerRegistry,
    logger: Logger,
    running: () => RunningHandler[],
  ) {
    this.#settings = settings;
    this.#registry = registry;
    this.#logger = logger;
    this.#monitor = new BlockMonitor(settings.blockWarningMs, logger, () =>
      running().filter((h) => !this.#settings.queues.has(h.queue)),
    );
  }

  /** True when `queue` runs its handlers in a pool. */
  isIsolated(queue: string): boolean {
    return this.#settings.queues.has(queue);
  }

  /** Validate the isolation settings of a queue added at run time (`addQueue`). */
  register(name: string, value: unknown, concurrency: number): void {
    const resolved = resolveQueueIsolation(name, value, concurrency);
    if (!resolved) {
      this.#settings.queues.delete(name);
      return;
    }
    if (this.#settings.workerModule === undefined)
      throw invalidOption("workerModule", `queue "${name}" is isolated; isolated queues need workerModule`);
    this.#settings.queues.set(name, resolved);
  }

  /** Start the pools of every isolated queue in `queues` and the blocked-loop monitor. */
  async prepare(queues: Iterable<string>): Promise<void> {
    this.#monitor.start();
    for (const name of queues) await this.prepareQueue(name);
  }

  /** Start the pool of `name` when it is isolated; throws `WORKER_MODULE` naming the problem. */
  async prepareQueue(name: string): Promise<void> {
    const isolation = this.#settings.queues.get(name);
    if (!isolation || this.#pools.has(name)) return;
    const modulePath = this.#settings.workerModule!;
    if (!workerModuleExists(modulePath))
      throw new VerkError("WORKER_MODULE", `workerModule ${modulePath} does not exist`, {
        field: "workerModule",
      });
    const pool = new IsolatedExecutor({
      queue: name,
      isolation,
      modulePath,
      moduleUrl: workerModuleUrl(modulePath),
      entry: workerEntryPath(),
      logger: this.#logger,
    });
    const workers = await pool.start();
    const missing = this.#missingClasses(name, isolation, workers);
    if (missing.length > 0) {
      await pool.close();
      const why = isolation.classes ? `its classes option` : `workers registered with queue "${name}"`;
      throw new VerkError(
        "WORKER_MODULE",
        `workerModule ${modulePath} does not export ${missing.map((c) => `"${c}"`).join(", ")}, needed by isolated queue "${name}" (${why}); it exports ${workers.map((w) => w.name).join(", ")}`,
        { field: "workerModule" },
      );
    }
    this.#pools.set(name, pool);
    for (const info of workers) if (info.limit) this.#reportedLimits.set(info.name, info.limit);
  }

  /** The `limit` options of the workers the isolated queues' modules export, by class. */
  reportedLimits(): ReadonlyMap<string, ReportedLimit> {
    return this.#reportedLimits;
  }

  #missingClasses(name: string, isolation: QueueIsolation, workers: WorkerInfo[]): string[] {
    const exported = new Set(workers.map((w) => w.name));
    const needed =
      isolation.classes ??
      this.#registry
        .names()
        .filter((worker) => (this.#registry.get(worker)?.options.queue ?? "default") === name);
    return needed.filter((c) => !exported.has(c));
  }

  /** The executor of `name`'s runner: its started pool, or in-process handlers. */
  executorFor(name: string): JobExecutor {
    if (!this.#settings.queues.has(name)) {
      const inProcess = new InProcessExecutor(this.#registry);
      return this.#monitor.thresholdMs > 0
        ? new BlockWatchExecutor(inProcess, name, this.#monitor)
        : inProcess;
    }
    const pool = this.#pools.get(name);
    if (!pool) throw new VerkError("INVALID_STATE", `the pool of isolated queue "${name}" was not started`);
    this.#pools.delete(name);
    return pool;
  }

  /** Close the pools no runner took and stop the monitor. */
  async close(): Promise<void> {
    this.#monitor.stop();
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

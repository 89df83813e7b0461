import type { RunnerContext } from "./context.js";
import type { JobExecutor } from "./executor.js";
import type { Logger } from "./logger.js";
import type { QueueInfo, RunningJob } from "./queue-info.js";
import { QueueRunner } from "./queue-runner.js";

/**
 * The queue runners of one started node, by queue name: starting them, pausing them (a stored
 * pause, or the node being quiet), and draining them on `removeQueue()` and `stop()`. @internal
 */
export class NodeQueues {
  readonly #runners = new Map<string, QueueRunner>();
  readonly #ctx: RunnerContext;
  readonly #executorFor: (queue: string) => JobExecutor;
  readonly #logger: Logger;
  #quiet = false;

  constructor(ctx: RunnerContext, executorFor: (queue: string) => JobExecutor, logger: Logger) {
    this.#ctx = ctx;
    this.#executorFor = executorFor;
    this.#logger = logger;
  }

  /** True after {@link NodeQueues.quiet}: every runner stays paused. */
  get quieted(): boolean {
    return this.#quiet;
  }

  /** The names of the queues with a runner. */
  names(): IterableIterator<string> {
    return this.#runners.keys();
  }

  /** True when `name` has a runner. */
  has(name: string): boolean {
    return this.#runners.has(name);
  }

  /** Start the runner of `name` with `concurrency` slots, paused when `paused` (or quiet). */
  start(name: string, concurrency: number, paused: boolean): void {
    const runner = new QueueRunner(this.#ctx, name, concurrency, this.#executorFor(name));
    this.#runners.set(name, runner);
    runner.start(paused || this.#quiet);
  }

  /** Apply a stored pause or resume to the runner of `name`, if there is one (quiet wins). */
  setPaused(name: string, paused: boolean): void {
    this.#runners.get(name)?.setPaused(paused || this.#quiet);
  }

  /** Stop fetching on every queue for good (Sidekiq's TSTP); running jobs finish. */
  quiet(): void {
    this.#quiet = true;
    for (const runner of this.#runners.values()) runner.setPaused(true);
  }

  /** Every job running now, across the queues. */
  running(): RunningJob[] {
    return [...this.#runners.values()].flatMap((runner) => runner.running());
  }

  /** The state of the runner of `name`, or `undefined` when it has none. */
  info(name: string): QueueInfo | undefined {
    return this.#runners.get(name)?.info();
  }

  /**
   * Remove the runner of `name` and drain it: stop fetching, wait up to `timeoutMs` for its
   * running jobs, then put the unfinished ones back at the front of the queue.
   */
  async remove(name: string, timeoutMs: number): Promise<void> {
    const runner = this.#runners.get(name);
    if (!runner) return;
    this.#runners.delete(name);
    await this.#drain(runner, timeoutMs);
  }

  /**
   * Drain every runner at once (see {@link NodeQueues.remove}), then forget them: they stay listed
   * meanwhile, so the jobs they still run count as this node's (liveness reconciles against them).
   */
  async removeAll(timeoutMs: number): Promise<void> {
    await Promise.all([...this.#runners.values()].map((runner) => this.#drain(runner, timeoutMs)));
    this.#runners.clear();
  }

  async #drain(runner: QueueRunner, timeoutMs: number): Promise<void> {
    await runner.stopFetching();
    if (!(await runner.waitIdle(timeoutMs))) {
      const moved = await runner.abandon();
      if (moved > 0)
        this.#logger.warn(
          { queue: runner.name, count: moved },
          `put ${moved} unfinished job(s) back at the front of "${runner.name}"`,
        );
    }
    await runner.close();
  }
}

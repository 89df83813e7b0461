import type { RunnerContext } from "./context.js";
import type { JobExecutor } from "./executor.js";
import { InFlightJob } from "./in-flight-job.js";
import { executeJob } from "./job-execution.js";
import type { QueueInfo, QueueStatus, RunningJob } from "./queue-info.js";
import type { QueueChannel } from "./store.js";
import { sleep } from "./time.js";

/**
 * One queue on one node: its own channel (connection) and fetch loop, and at most
 * `concurrency` jobs in flight. A failing fetch backs off and retries; it never touches
 * another queue. @internal
 */
export class QueueRunner {
  readonly name: string;
  readonly concurrency: number;
  readonly #ctx: RunnerContext;
  readonly #executor: JobExecutor;
  readonly #inFlight = new Set<InFlightJob>();
  /** Jobs whose handler is still running (the rest of `#inFlight` waits for its ack or failure write). */
  #running = 0;
  readonly #idleWaiters = new Set<() => void>();
  #status: QueueStatus = "stopped";
  #paused = false;
  #stopping = false;
  #giveUp = false;
  #channel: QueueChannel | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(ctx: RunnerContext, name: string, concurrency: number, executor: JobExecutor) {
    this.#ctx = ctx;
    this.#executor = executor;
    this.name = name;
    this.concurrency = concurrency;
  }

  /** Open the channel and start fetching (or wait, when `paused`). */
  start(paused: boolean): void {
    const flow = this.#ctx.flow?.channelOptions(this.name);
    this.#channel =
      flow === undefined
        ? this.#ctx.store.openQueue(this.name, this.#ctx.nodeId)
        : this.#ctx.store.openQueue(this.name, this.#ctx.nodeId, flow);
    this.#paused = paused;
    this.#setStatus(paused ? "paused" : "running");
    this.#loop = this.#run();
  }

  /** A snapshot for status displays. */
  info(): QueueInfo {
    return {
      name: this.name,
      concurrency: this.concurrency,
      running: this.#inFlight.size,
      status: this.#status,
    };
  }

  /** The jobs running now, oldest first. */
  running(): RunningJob[] {
    return [...this.#inFlight].map((flight) => ({
      queue: this.name,
      raw: flight.raw,
      startedAt: flight.startedAt,
      jid: flight.job?.jid,
      className: flight.job?.class,
    }));
  }

  /** Apply a pause or resume (from this node, another node, or the store). Running jobs finish. */
  setPaused(paused: boolean): void {
    if (this.#stopping || paused === this.#paused) return;
    this.#paused = paused;
    if (paused) {
      this.#setStatus("pausing");
      this.#channel?.interrupt();
      this.#settlePause();
    } else {
      this.#setStatus("running");
      this.#signal();
    }
  }

  /** Stop fetching; resolves when the fetch loop has exited. Running jobs keep running. */
  async stopFetching(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#setStatus("stopping");
      this.#channel?.interrupt();
      this.#signal();
    }
    await this.#loop;
  }

  /** Resolves true once no job is in flight, or false after `timeoutMs`. */
  async waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight.size === 0) return true;
    let done!: () => void;
    const idle = new Promise<void>((resolve) => {
      done = resolve;
      this.#idleWaiters.add(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([idle.then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
      this.#idleWaiters.delete(done);
    }
  }

  /**
   * Give up on the jobs still running: abort their signals, ignore their outcome, and put them
   * back at the front of the queue. Resolves the number put back.
   */
  async abandon(): Promise<number> {
    this.#giveUp = true;
    const flights = [...this.#inFlight];
    if (flights.length === 0) return 0;
    for (const flight of flights) {
      flight.abandoned = true;
      flight.abort(new Error(`queue "${this.name}" stopped before the job finished; it was put back`));
    }
    // Isolated queues: terminate the pool first, so no handler still runs when its job goes back.
    await this.#executor.close();
    const raws = flights.map((flight) => flight.raw);
    for (let attempt = 0; ; attempt++) {
      try {
        const moved = await this.#ctx.store.requeue(this.name, this.#ctx.nodeId, raws);
        for (const flight of flights) this.#inFlight.delete(flight);
        this.#notifyIdle();
        return moved;
      } catch (error) {
        this.#ctx.hub.emit("error", { error, context: "requeue", queue: this.name });
        if (attempt >= 2) {
          this.#ctx.logger.error(
            { err: error },
            `could not put ${raws.length} unfinished job(s) back on "${this.name}"; they stay in this node's in-progress list for recovery`,
          );
          return 0;
        }
        await sleep(100 * (attempt + 1));
      }
    }
  }

  /** Release the channel and the executor after `stopFetching` (and `waitIdle`/`abandon`). */
  async close(): Promise<void> {
    await this.stopFetching();
    await this.#executor.close();
    await this.#channel?.close();
    this.#setStatus("stopped");
  }

  async #run(): Promise<void> {
    const { logger, hub, fetchBlockMs } = this.#ctx;
    let errorDelay = 0;
    while (!this.#stopping) {
      // A slot frees when the handler settles, so the next fetch overlaps the pending ack round
      // trip; jobs waiting for their ack are capped at `concurrency` more (they stay in the
      // in-progress list until acked, so nothing exists only in memory).
      const free = Math.min(this.concurrency - this.#running, 2 * this.concurrency - this.#inFlight.size);
      if (this.#paused || free <= 0) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      let result: Awaited<ReturnType<QueueChannel["fetch"]>>;
      try {
        result = await this.#channel!.fetch(free, fetchBlockMs);
        errorDelay = 0;
      } catch (error) {
        if (this.#stopping) break;
        errorDelay = Math.min(Math.max(100, errorDelay * 2), 5_000);
        logger.warn({ err: error }, `fetch from "${this.name}" failed; retrying in ${errorDelay} ms`);
        hub.emit("error", { error, context: "fetch", queue: this.name });
        await sleep(errorDelay);
        continue;
      }
      if (result.paused) {
        this.setPaused(true);
        continue;
      }
      for (const raw of result.jobs) this.#dispatch(raw);
    }
  }

  #dispatch(raw: Buffer): void {
    const flight = new InFlightJob(this.name, raw, this.#ctx.logger);
    this.#inFlight.add(flight);
    this.#running++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#running--;
      this.#signal();
    };
    // The slot is freed by `release` once the handler's body ended: for a timed-out in-process
    // handler that is when it finally returns, possibly after its failure was written.
    executeJob(this.#ctx, flight, this.#executor, () => this.#giveUp, release).finally(() => {
      this.#inFlight.delete(flight);
      this.#signal();
      this.#settlePause();
      this.#notifyIdle();
    });
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #settlePause(): void {
    if (this.#paused && this.#status === "pausing" && this.#inFlight.size === 0) this.#setStatus("paused");
  }

  #notifyIdle(): void {
    if (this.#inFlight.size > 0) return;
    for (const resolve of this.#idleWaiters) resolve();
  }

  #setStatus(status: QueueStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    const event = { queue: this.name, nodeId: this.#ctx.nodeId };
    if (status === "running") this.#ctx.hub.emit("queue:running", event);
    else if (status === "pausing") this.#ctx.hub.emit("queue:pausing", event);
    else if (status === "paused") this.#ctx.hub.emit("queue:paused", event);
  }
}

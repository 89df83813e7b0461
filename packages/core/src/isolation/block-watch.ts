import { type IntervalHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { ExecutionResult, JobExecutor } from "../executor.js";
import type { InFlightJob } from "../in-flight-job.js";
import type { Logger } from "../logger.js";

/** Longest gap between two warnings for the same queue and class, ms. */
const REPEAT_MS = 60_000;
/** How often the event-loop delay histogram is read, ms. */
const CHECK_MS = 1_000;

/** A job running in this process: its queue and class, for the warning. @internal */
export interface RunningHandler {
  readonly queue: string;
  readonly className: string;
}

/**
 * Warns when in-process handlers block the event loop longer than `thresholdMs`: the
 * synchronous part of each handler call is timed directly (queue, class and jid are named); a
 * `monitorEventLoopDelay` histogram, read every second, catches blocks in later callbacks and
 * names the in-process handlers running then. Each queue and class warns at most once a minute.
 * @internal
 */
export class BlockMonitor {
  readonly thresholdMs: number;
  readonly #logger: Logger;
  readonly #running: () => RunningHandler[];
  readonly #lastWarned = new Map<string, number>();
  #histogram: IntervalHistogram | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Longest synchronous block reported by `reportCall` since the last check, ms. */
  #explainedMs = 0;

  constructor(thresholdMs: number, logger: Logger, running: () => RunningHandler[]) {
    this.thresholdMs = thresholdMs;
    this.#logger = logger;
    this.#running = running;
  }

  /** Start the histogram and its periodic check. */
  start(): void {
    if (this.#histogram || this.thresholdMs <= 0) return;
    this.#histogram = monitorEventLoopDelay({ resolution: 10 });
    this.#histogram.enable();
    this.#timer = setInterval(() => this.#check(), CHECK_MS);
    this.#timer.unref();
  }

  /** Stop watching. */
  stop(): void {
    clearInterval(this.#timer);
    this.#histogram?.disable();
    this.#histogram = undefined;
  }

  /** A handler call of `queue`/`className` kept the loop busy for `ms` synchronously. */
  reportCall(queue: string, className: string, jid: string, ms: number): void {
    this.#explainedMs = Math.max(this.#explainedMs, ms);
    if (!this.#due(`${queue}\0${className}`)) return;
    this.#logger.warn(
      { queue, class: className, jid, blockedMs: Math.round(ms) },
      `handler ${className} of queue "${queue}" blocked the event loop for ${Math.round(ms)} ms (threshold ${this.thresholdMs} ms); ` +
        `other queues of this node stall meanwhile: make it asynchronous or give the queue isolation "thread"`,
    );
  }

  #due(key: string): boolean {
    const now = Date.now();
    const last = this.#lastWarned.get(key);
    if (last !== undefined && now - last < REPEAT_MS) return false;
    this.#lastWarned.set(key, now);
    return true;
  }

  #check(): void {
    const histogram = this.#histogram;
    if (!histogram) return;
    const maxMs = histogram.max / 1e6;
    histogram.reset();
    const explainedMs = this.#explainedMs;
    this.#explainedMs = 0;
    // A block no longer than one already reported with its class is that one.
    if (!(maxMs > this.thresholdMs) || maxMs <= explainedMs * 1.1 + 10) return;
    const handlers = this.#running();
    if (handlers.length === 0) return;
    const names = [...new Set(handlers.map((h) => `${h.queue}/${h.className}`))];
    if (!this.#due(`loop\0${names.join(",")}`)) return;
    this.#logger.warn(
      {
        queues: [...new Set(handlers.map((h) => h.queue))],
        classes: [...new Set(handlers.map((h) => h.className))],
        blockedMs: Math.round(maxMs),
      },
      `the event loop was blocked for up to ${Math.round(maxMs)} ms (threshold ${this.thresholdMs} ms) while these in-process handlers ran: ${names.join(", ")}`,
    );
  }
}

/** Times the synchronous part of every handler call of an in-process queue. @internal */
export class BlockWatchExecutor implements JobExecutor {
  readonly isolated = false;
  readonly #inner: JobExecutor;
  readonly #queue: string;
  readonly #monitor: BlockMonitor;

  constructor(inner: JobExecutor, queue: string, monitor: BlockMonitor) {
    this.#inner = inner;
    this.#queue = queue;
    this.#monitor = monitor;
  }

  execute(flight: InFlightJob): Promise<ExecutionResult> {
    const started = performance.now();
    const result = this.#inner.execute(flight);
    const ms = performance.now() - started;
    if (ms > this.#monitor.thresholdMs)
      this.#monitor.reportCall(this.#queue, flight.job.class, flight.jid, ms);
    return result;
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

import { Worker } from "node:worker_threads";
import type { KeepAliveSpec } from "../capabilities/nodes.js";
import type { Logger } from "../logger.js";

/**
 * Shared between the main thread and the keep-alive thread (Int32 slots):
 * [0] main-loop progress counter, bumped every {@link PROGRESS_MS} by a main-thread timer;
 * [1] milliseconds since `base` of the main thread's last successful beat;
 * [2] set to 1 to stop.
 */
const SLOTS = 3;
/** How often the main thread proves its event loop turns, in ms. */
const PROGRESS_MS = 100;
/** Longest wait for the thread to say it is connected (see {@link KeepAliveThread.ready}), in ms. */
const READY_MS = 3_000;

/** The `workerData` a keep-alive thread module receives. */
export interface KeepAliveWorkerData {
  /** The store's {@link KeepAliveSpec.data}. */
  readonly spec: unknown;
  /** See the slot layout above. */
  readonly shared: SharedArrayBuffer;
  /** Epoch ms that slot [1] counts from. */
  readonly base: number;
  readonly heartbeatMs: number;
  /** Longest main-loop block the thread covers, in ms. */
  readonly maxBlockMs: number;
}

/**
 * Runs the store's keep-alive module in a worker thread: while the main event loop is blocked
 * (it stopped turning, and no beat for a heartbeat) but for less than `maxBlockMs`, the thread extends the heartbeat
 * TTL, so a long synchronous handler does not get a live node declared dead; blocked longer, it
 * stops, and the node is recovered as if it had died. @internal
 */
export class KeepAliveThread {
  readonly #worker: Worker;
  readonly #slots: Int32Array;
  readonly #base = Date.now();
  readonly #progress: NodeJS.Timeout;
  #exited: Promise<void>;
  /**
   * Resolves once the thread is connected and can extend the heartbeat (or after 3 s, or when it
   * failed: the node then runs on main-thread beats only). Never rejects.
   */
  readonly ready: Promise<void>;

  constructor(spec: KeepAliveSpec, heartbeatMs: number, maxBlockMs: number, logger: Logger) {
    const shared = new SharedArrayBuffer(SLOTS * 4);
    this.#slots = new Int32Array(shared);
    this.beaten();
    const workerData: KeepAliveWorkerData = {
      spec: spec.data,
      shared,
      base: this.#base,
      heartbeatMs,
      maxBlockMs,
    };
    // No inherited execArgv: the thread module is plain JavaScript, and loaders of the app (tsx,
    // ts-node) would only delay its start while the main thread may already be blocked.
    this.#worker = new Worker(spec.module, { workerData, execArgv: [] });
    this.#worker.unref();
    this.ready = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, READY_MS);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#worker.once("message", done);
      this.#worker.once("error", done);
      this.#worker.once("exit", done);
    });
    this.#worker.on("error", (error) =>
      logger.warn({ err: error }, "the heartbeat keep-alive thread failed"),
    );
    this.#exited = new Promise((resolve) => this.#worker.once("exit", () => resolve()));
    this.#progress = setInterval(() => Atomics.add(this.#slots, 0, 1), PROGRESS_MS);
    this.#progress.unref();
  }

  /** Record that the main thread just beat successfully. */
  beaten(): void {
    Atomics.store(this.#slots, 1, Date.now() - this.#base);
  }

  /** Hand the thread new data (e.g. when the node's queues changed). */
  update(spec: KeepAliveSpec): void {
    this.#worker.postMessage({ spec: spec.data });
  }

  /** Stop the thread and wait for it to exit (terminated after 1 s). */
  async stop(): Promise<void> {
    clearInterval(this.#progress);
    Atomics.store(this.#slots, 2, 1);
    this.#worker.postMessage({ stop: true });
    const timer = setTimeout(() => void this.#worker.terminate(), 1_000);
    await this.#exited;
    clearTimeout(timer);
  }
}

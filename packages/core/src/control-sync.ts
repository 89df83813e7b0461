import type { EventHub } from "./events.js";
import type { Logger } from "./logger.js";
import type { ControlMessage, VerkStore } from "./store.js";

/**
 * Keeps this node's view of paused queues in line with the store: instant through
 * `subscribeControl`, and every `intervalMs` by re-reading the paused set, so a
 * notification missed during a disconnect is caught up. @internal
 */
export class ControlSync {
  readonly #store: VerkStore;
  readonly #apply: (queue: string, paused: boolean) => void;
  readonly #queues: () => Iterable<string>;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #hub: EventHub;
  #unsubscribe: (() => Promise<void>) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    store: VerkStore,
    queues: () => Iterable<string>,
    apply: (queue: string, paused: boolean) => void,
    intervalMs: number,
    logger: Logger,
    hub: EventHub,
  ) {
    this.#store = store;
    this.#queues = queues;
    this.#apply = apply;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
    this.#hub = hub;
  }

  /** Subscribe and start the periodic re-read. */
  async start(): Promise<void> {
    this.#unsubscribe = await this.#store.subscribeControl((message: ControlMessage) => {
      this.#apply(message.queue, message.type === "pause");
    });
    this.#schedule();
  }

  /** Read the paused set once and apply it to every local queue. Resolves the paused set. */
  async sync(): Promise<Set<string>> {
    const paused = new Set(await this.#store.pausedQueues());
    for (const queue of this.#queues()) this.#apply(queue, paused.has(queue));
    return paused;
  }

  /** Stop listening. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.sync()
        .catch((error: unknown) => {
          this.#logger.warn({ err: error }, "reading paused queues failed; will retry");
          this.#hub.emit("error", { error, context: "control-sync" });
        })
        .finally(() => {
          if (this.#unsubscribe) this.#schedule();
        });
    }, this.#intervalMs);
    this.#timer.unref?.();
  }
}

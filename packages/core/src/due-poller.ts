import type { EventHub } from "./events.js";
import type { Logger } from "./logger.js";
import type { DueSet, VerkStore } from "./store.js";
import { nowSeconds } from "./time.js";

/** Jobs moved per script call. */
export const PROMOTE_BATCH = 100;

/**
 * Move every job due now from `retry` and `schedule` to its queue, `PROMOTE_BATCH` per store
 * call, until none is due. Resolves the number moved.
 */
export async function promoteAllDue(
  store: VerkStore,
  sets: readonly DueSet[] = ["retry", "schedule"],
): Promise<number> {
  let total = 0;
  for (const set of sets) {
    for (;;) {
      const moved = await store.promoteDue(set, nowSeconds(), PROMOTE_BATCH);
      total += moved;
      if (moved < PROMOTE_BATCH) break;
    }
  }
  return total;
}

/**
 * The built-in poller: every `intervalMs` (± 20 % jitter so nodes spread out) it promotes due
 * jobs. The move is one atomic script, so several nodes polling never enqueue a job twice.
 * `@verk/scheduler` replaces it with a leader that wakes exactly at the next due time.
 */
export class DuePoller {
  readonly #store: VerkStore;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #hub: EventHub;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = true;

  constructor(store: VerkStore, intervalMs: number, logger: Logger, hub: EventHub) {
    this.#store = store;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
    this.#hub = hub;
  }

  /** Start polling (the first check runs at once). */
  start(): void {
    this.#stopped = false;
    this.#tick();
  }

  /** Stop polling and wait for a check in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #tick(): void {
    if (this.#stopped) return;
    this.#running = promoteAllDue(this.#store)
      .catch((error: unknown) => {
        this.#logger.warn({ err: error }, "promoting due jobs failed; will retry");
        this.#hub.emit("error", { error, context: "promote" });
      })
      .finally(() => {
        if (this.#stopped) return;
        const jitter = this.#intervalMs * (0.8 + Math.random() * 0.4);
        this.#timer = setTimeout(() => this.#tick(), jitter);
        this.#timer.unref?.();
      });
  }
}

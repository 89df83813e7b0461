import type { EventHub } from "./events.js";
import type { Logger } from "./logger.js";
import type { DueSet, VerkStore } from "./store.js";
import { toSeconds } from "./time.js";

/** Jobs moved per store call. */
export const PROMOTE_BATCH = 100;

/** The due sets, in the order they are promoted (independently: one failing never holds up the other). */
const SETS: readonly DueSet[] = ["retry", "schedule"];

/** The store's clock (epoch ms): due-ness is judged by it, so nodes with skewed clocks agree. */
function storeNow(store: VerkStore): number {
  return store.now?.() ?? Date.now();
}

/**
 * Move every job due now from `retry` and `schedule` to its queue, `PROMOTE_BATCH` per store
 * call, until none is due; the two sets are independent (a failure in one is rethrown after the
 * other was promoted). Due-ness follows the store's clock. Resolves the number moved.
 */
export async function promoteAllDue(store: VerkStore, sets: readonly DueSet[] = SETS): Promise<number> {
  let total = 0;
  let failure: unknown;
  for (const set of sets) {
    try {
      for (;;) {
        const moved = await store.promoteDue(set, toSeconds(storeNow(store)), PROMOTE_BATCH);
        total += moved;
        if (moved < PROMOTE_BATCH) break;
      }
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  return total;
}

/**
 * The built-in promoter of due jobs (core + store alone, no add-on needed). It sleeps until the
 * next due time the store reports (`nextDue`), wakes early when a job due sooner is announced
 * (the store's `dueWatch` capability: `schedule()` and retries publish it), and otherwise checks
 * every `intervalMs` (± 20 % jitter so nodes spread out): a due job starts within a few
 * milliseconds of its time at light load, and an idle node costs one cheap read per interval.
 * The move is atomic, so several nodes promoting never enqueue a job twice. `@verk/scheduler`
 * replaces it with one leader.
 */
export class DuePoller {
  readonly #store: VerkStore;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #hub: EventHub;
  #timer: NodeJS.Timeout | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  #running: Promise<unknown> | undefined;
  #again = false;
  #stopped = true;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(store: VerkStore, intervalMs: number, logger: Logger, hub: EventHub) {
    this.#store = store;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
    this.#hub = hub;
  }

  /** Start (the first check runs at once) and follow due-job announcements when the store has them. */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#tick();
    const watch = this.#store.capabilities?.dueWatch;
    if (watch === undefined) return;
    try {
      this.#unsubscribe = await watch.subscribe((at) => this.wakeBy(at * 1000));
    } catch (error) {
      this.#logger.warn({ err: error }, "could not follow due-job announcements; polling only");
    }
  }

  /** Stop and wait for a check in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.().catch(() => {});
    await this.#running;
  }

  /** Make sure a check runs by `atMs` (store clock, epoch ms), e.g. for a retry this node just wrote. */
  wakeBy(atMs: number): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      if (atMs <= storeNow(this.#store)) this.#again = true;
      else this.#plan(atMs);
      return;
    }
    this.#plan(atMs);
  }

  #plan(atMs: number): void {
    const fallback = storeNow(this.#store) + this.#intervalMs * (0.8 + Math.random() * 0.4);
    const target = Math.min(atMs, fallback);
    if (this.#timer !== undefined && target >= this.#wakeAt) return;
    clearTimeout(this.#timer);
    this.#wakeAt = target;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, target - storeNow(this.#store)));
    this.#timer.unref?.();
  }

  #tick(): void {
    if (this.#stopped) return;
    this.#timer = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    this.#again = false;
    this.#running = this.#pass()
      .catch((error: unknown) => {
        this.#logger.warn({ err: error }, "promoting due jobs failed; will retry");
        this.#hub.emit("error", { error, context: "promote" });
        return undefined;
      })
      .then((next) => {
        this.#running = undefined;
        if (this.#stopped) return;
        if (this.#again) this.#tick();
        else this.#plan(next ?? Number.POSITIVE_INFINITY);
      });
  }

  /** Promote what is due; resolves when the next job is due (store clock, epoch ms), if known. */
  async #pass(): Promise<number | undefined> {
    const store = this.#store;
    if (store.nextDue === undefined) {
      await promoteAllDue(store);
      return undefined;
    }
    const now = storeNow(store);
    const next = await Promise.all(SETS.map((set) => store.nextDue!(set)));
    const due = SETS.filter((_, i) => next[i] !== undefined && next[i]! * 1000 <= now);
    if (due.length > 0) await promoteAllDue(store, due);
    const after = await Promise.all(SETS.map((set) => store.nextDue!(set)));
    const times = after.filter((t): t is number => t !== undefined).map((t) => t * 1000);
    return times.length > 0 ? Math.min(...times) : undefined;
  }
}

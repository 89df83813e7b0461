import type { FlowCapability, HeldSlot } from "../capabilities/flow.js";
import type { EventHub } from "../events.js";
import type { Logger } from "../logger.js";

/**
 * The concurrency slots this node's running jobs hold, kept alive while the node is: `renew()`
 * extends them all by the slot TTL (the node's liveness TTL) on every heartbeat of the node, so
 * the slots of a node that dies, or stops beating, expire within that TTL and other nodes take
 * them. `release()` gives one back when its handler ended. @internal
 */
export class SlotBook {
  readonly #flow: () => FlowCapability | undefined;
  readonly #logger: Logger;
  readonly #hub: EventHub;
  readonly #held = new Set<HeldSlot>();
  #ttlMs: number;
  #renewing: Promise<void> | undefined;

  constructor(flow: () => FlowCapability | undefined, ttlMs: number, logger: Logger, hub: EventHub) {
    this.#flow = flow;
    this.#ttlMs = ttlMs;
    this.#logger = logger;
    this.#hub = hub;
  }

  /** Milliseconds a slot lives unless renewed. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Set the slot TTL (from the node's liveness settings, at start). */
  set ttlMs(value: number) {
    this.#ttlMs = value;
  }

  /** Number of slots held now. */
  get size(): number {
    return this.#held.size;
  }

  /** Record a slot a job of this node took. */
  add(slot: HeldSlot): void {
    this.#held.add(slot);
  }

  /** Give `slot` back (once); failures are reported, and the slot then expires with its TTL. */
  release(slot: HeldSlot): void {
    if (!this.#held.delete(slot)) return;
    const flow = this.#flow();
    if (flow === undefined) return;
    flow.releaseSlot(slot).catch((error: unknown) => {
      this.#logger.warn(
        { queue: slot.queue, class: slot.limit.className, err: error },
        "could not release a concurrency slot; it frees when its TTL runs out",
      );
      this.#hub.emit("error", { error, context: "limit-release", queue: slot.queue });
    });
  }

  /** Extend every held slot by the TTL (one store call); skipped while the previous renewal runs. Never rejects. */
  renew(): Promise<void> {
    const flow = this.#flow();
    if (this.#held.size === 0 || flow === undefined) return Promise.resolve();
    this.#renewing ??= (async () => {
      const slots = [...this.#held];
      try {
        const kept = await flow.renewSlots(slots, this.#ttlMs);
        if (kept < slots.length) {
          this.#logger.warn(
            { held: slots.length, kept },
            `${slots.length - kept} concurrency slot(s) of this node had expired (the node was late or away); their jobs keep running`,
          );
        }
      } catch (error) {
        this.#hub.emit("error", { error, context: "limit-renew" });
      } finally {
        this.#renewing = undefined;
      }
    })();
    return this.#renewing;
  }

  /** Give every held slot back (a stopping node); resolves when the releases were answered. */
  async releaseAll(): Promise<void> {
    const flow = this.#flow();
    const slots = [...this.#held];
    this.#held.clear();
    if (flow === undefined) return;
    await Promise.all(slots.map((slot) => flow.releaseSlot(slot).catch(() => {})));
  }
}

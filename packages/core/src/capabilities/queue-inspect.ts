import type { DueSet } from "../store.js";

/**
 * Optional store capability: cheap reads for latency and scheduling, used by `@verk/stats`
 * (queue latency) and `@verk/scheduler` (sleep until the next due job).
 */
export interface QueueInspectCapability {
  /**
   * The oldest waiting payload of each queue (the next one to run; Redis `LINDEX queue:<q> -1`),
   * `null` for an empty queue; in the order of `queues`, in one round trip.
   */
  oldest(queues: readonly string[]): Promise<(string | null)[]>;
  /** The lowest score of `set` (epoch **seconds**: when its next job is due), `null` when empty. */
  nextDue(set: DueSet): Promise<number | null>;
}

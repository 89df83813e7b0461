import type { DueSet } from "@verk/core";
import type { RedisClient } from "../client.js";
import type { Keys } from "../keys.js";
import { PROMOTE_DEAD_LIMITS } from "../store-ops.js";
import { dueQueues, earliestDue, refreshDue, sweepDueIndex } from "./due-index.js";
import { drainOutbox } from "./outbox.js";
import { promoteSet, ReadSizer } from "./promote.js";
import type { NativePromoter } from "./promote-native.js";

/**
 * How often the cluster layout's due index is rebuilt from every queue's sets, in ms: it repairs
 * an index entry a crash left stale, or one a promotion pass overwrote while a job of the same
 * queue was being scheduled (such a job is then promoted at most this late). The `retry` sweep
 * also delivers what a crash left in the queues' outboxes (taken from a due set, not yet pushed).
 */
const SWEEP_MS = 5_000;

/** Promotion of due jobs for one store: one global set (Sidekiq layout) or one set per queue (cluster). */
export function duePromoter(client: RedisClient, keys: Keys, native?: NativePromoter) {
  const sizer = new ReadSizer();
  const swept: Record<DueSet, number> = { schedule: 0, retry: 0 };
  // Each set's promotion runs alone: a second caller waits for the first (no double reads).
  const running: Partial<Record<DueSet, Promise<unknown>>> = {};
  const ctx = { redis: client, keys, sizer, deadLimits: PROMOTE_DEAD_LIMITS, ...(native ? { native } : {}) };

  async function drainOutboxes(): Promise<void> {
    const queues = await client.smembers(keys.queues);
    await Promise.all(queues.map((queue) => drainOutbox(client, keys, queue)));
  }

  async function promoteCluster(set: DueSet, now: number, limit: number): Promise<number> {
    if (Date.now() - swept[set] > SWEEP_MS) {
      swept[set] = Date.now();
      await sweepDueIndex(client, keys, set);
      if (set === "retry") await drainOutboxes();
    }
    let taken = 0;
    for (const queue of await dueQueues(client, keys, set, now)) {
      taken += await promoteSet(ctx, set, queue, now, limit - taken);
      await refreshDue(client, keys, set, queue);
      if (taken >= limit) break;
    }
    return taken;
  }

  return {
    /** Move up to `limit` due entries of `set` (see `promoteSet`). Resolves the entries taken. */
    async promote(set: DueSet, now: number, limit: number): Promise<number> {
      if (limit < 1) return 0;
      await running[set];
      const work =
        keys.layout === "cluster"
          ? promoteCluster(set, now, limit)
          : promoteSet(ctx, set, undefined, now, limit);
      running[set] = work.catch(() => {});
      return work;
    },
    /** The earliest due time of `set` (epoch seconds), or `undefined`. */
    next(set: DueSet): Promise<number | undefined> {
      return earliestDue(client, keys, set);
    },
  };
}

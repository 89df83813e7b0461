import type { DeadSetLimits, DueSet } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { formatSeconds } from "../scripts.js";
import { drainOutbox } from "./outbox.js";
import { deadEntry, planPromotion, readJob } from "./plan.js";
import { type MoveTarget, runMoves } from "./run.js";

/** Bytes of members one read of a due set asks for (the count adapts to the payload size). */
const READ_BUDGET_BYTES = 256 * 1024;

/** Learns the typical member size of the due sets, so reads stay near {@link READ_BUDGET_BYTES}. */
export class ReadSizer {
  #average = 512;

  /** How many members to read at most, given that `wanted` are still to take. */
  count(wanted: number): number {
    return Math.max(1, Math.min(wanted, 100, Math.floor(READ_BUDGET_BYTES / this.#average)));
  }

  /** Record the sizes of the members of one read. */
  observe(members: readonly Buffer[]): void {
    if (members.length === 0) return;
    const mean = members.reduce((sum, m) => sum + m.length, 0) / members.length;
    this.#average = Math.max(64, 0.5 * this.#average + 0.5 * mean);
  }
}

/** What {@link promoteSet} needs. */
export interface PromoteContext {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly sizer: ReadSizer;
  readonly deadLimits: DeadSetLimits;
}

/**
 * Move up to `limit` entries of `set` due at `now` (epoch seconds) onto their queues, exactly once
 * each (only entries the script removed are pushed). `queue` names the set's queue in the cluster
 * layout (`undefined`: the Sidekiq layout's global set). Entries that cannot be read, or whose
 * queue key holds something other than a list, go to the dead set with a message; the others are
 * unaffected. Resolves the number of entries taken from the set.
 */
export async function promoteSet(
  ctx: PromoteContext,
  set: DueSet,
  queue: string | undefined,
  now: number,
  limit: number,
): Promise<number> {
  const { redis, keys } = ctx;
  const source = queue === undefined ? keys.set(set) : keys.setOf(set, queue);
  const target: MoveTarget = {
    source,
    dead: queue === undefined ? keys.set("dead") : keys.setOf("dead", queue),
    third:
      queue === undefined
        ? { mode: "registry", key: keys.queues }
        : { mode: "outbox", key: keys.outbox(queue) },
    queueKey: (q) => keys.queue(q),
    deadLimits: ctx.deadLimits,
    now,
  };
  let taken = 0;
  let outboxed = false;
  while (taken < limit) {
    const count = ctx.sizer.count(limit - taken);
    const members = await redis.zrangebyscoreBuffer(source, "-inf", formatSeconds(now), "LIMIT", 0, count);
    ctx.sizer.observe(members);
    if (members.length === 0) break;
    const entries = members.map((member) => planPromotion(member, now, queue));
    outboxed ||= entries.some((entry) => entry.op === "outbox");
    const codes = await runMoves(redis, target, entries);
    const stuck = entries.filter((_, i) => codes[i] === -1);
    taken += codes.filter((code) => code !== -1).length;
    if (stuck.length > 0) taken += await deadLetterWrongType(ctx, target, stuck);
    if (members.length < count) break;
  }
  if (outboxed && queue !== undefined) await drainOutbox(redis, keys, queue);
  return taken;
}

/** Move entries whose queue key is not a list to the dead set, naming the key and its type. */
async function deadLetterWrongType(
  ctx: PromoteContext,
  target: MoveTarget,
  stuck: readonly { member: Buffer; queue?: string }[],
): Promise<number> {
  const entries = await Promise.all(
    stuck.map(async ({ member, queue }) => {
      const key = ctx.keys.queue(queue!);
      const type = await ctx.redis.type(key);
      const message = `promotion failed: the queue key "${key}" holds a ${type}, not a list; the job was moved to the dead set (fix the key, then retry it)`;
      return {
        op: "dead" as const,
        member,
        payload: deadEntry(member, readJob(member), "Verk::PromotionFailed", message, queue),
      };
    }),
  );
  const codes = await runMoves(ctx.redis, target, entries);
  return codes.filter((code) => code === 1).length;
}

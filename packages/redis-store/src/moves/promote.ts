import type { DeadSetLimits, DueSet } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { formatSeconds, runScript } from "../scripts.js";
import { drainOutbox } from "./outbox.js";
import { deadEntry, planPromotion, readJob } from "./plan.js";
import { NATIVE_PROMOTE_BYTES, type NativePromoter } from "./promote-native.js";
import { type MoveTarget, runMoves } from "./run.js";

/**
 * Bytes of members one read of a due set asks for (the count adapts to the payload size): a
 * 2 MB reply costs Redis about a millisecond to copy, far from the 10 ms of a stall.
 */
const READ_BUDGET_BYTES = 2 * 1024 * 1024;

/** Learns the typical member size of the due sets, so reads stay near {@link READ_BUDGET_BYTES}. */
export class ReadSizer {
  #average = 512;

  /** The typical member size, bytes. */
  get average(): number {
    return this.#average;
  }

  /** Record `count` members of `bytes` in all (moved without reading them here). */
  observeTotal(bytes: number, count: number): void {
    if (count === 0) return;
    this.#average = Math.max(64, 0.5 * this.#average + (0.5 * bytes) / count);
  }

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

/** Payload bytes one call of the fast path moves at most: it holds Redis well under 10 ms. */
const FAST_BUDGET_BYTES = 1 << 20;
/** Due members one call of the fast path looks at. */
const FAST_MAX = 200;

/** What {@link promoteSet} needs. */
export interface PromoteContext {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly sizer: ReadSizer;
  readonly deadLimits: DeadSetLimits;
  /**
   * The queue names the fast path may push to without the client (the Sidekiq layout: the known
   * queues; each becomes a key of the script). (Default: the `queues` registry, read each call)
   */
  queueNames?(): Promise<readonly string[]>;
  /** Native promotion for large members (a connection of its own); see {@link NATIVE_PROMOTE_BYTES}. */
  readonly native?: NativePromoter;
}

/**
 * The fast path (`lua/promote.lua`): due members of the common shapes move inside Redis, never
 * travelling to the client. Resolves how many it took and whether it left members it could not
 * handle.
 */
async function promoteFast(
  ctx: PromoteContext,
  source: string,
  queue: string | undefined,
  now: number,
  limit: number,
): Promise<{ taken: number; leftSlow: boolean }> {
  const { redis, keys } = ctx;
  const names =
    queue !== undefined
      ? [queue]
      : [...(ctx.queueNames ? await ctx.queueNames() : await redis.smembers(keys.queues))];
  if (names.length === 0) return { taken: 0, leftSlow: true };
  const lists = names.map((q) => keys.queue(q));
  const scriptKeys = [source, queue === undefined ? keys.queues : lists[0]!, ...lists];
  let taken = 0;
  let leftSlow = false;
  while (taken < limit) {
    const [moved, slow, , bytes] = (await runScript(redis, "promote", scriptKeys, [
      queue === undefined ? "registry" : "none",
      formatSeconds(now),
      formatSeconds(now),
      FAST_BUDGET_BYTES,
      Math.min(FAST_MAX, limit - taken),
      String(Math.round(now * 1000)),
      ...names,
    ])) as [number, number, number, number];
    ctx.sizer.observeTotal(bytes, moved);
    taken += moved;
    leftSlow = slow > 0;
    if (moved === 0) break;
  }
  return { taken, leftSlow };
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
  let natively = 0;
  if (ctx.native !== undefined && ctx.sizer.average >= NATIVE_PROMOTE_BYTES) {
    natively = (await ctx.native.promote(source, queue, now, limit)) ?? 0;
    if (natively >= limit) return natively;
  }
  const fast = await promoteFast(ctx, source, queue, now, limit - natively);
  let taken = natively + fast.taken;
  if (!fast.leftSlow) return taken;
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

import type { FlowCapability, FlowCounters, FlowScheduledJob, HeldSlot, UniqueOutcome } from "@verk/core";
import type { RedisClient } from "../client.js";
import { mapped } from "../errors.js";
import type { Keys } from "../keys.js";
import { noteDue } from "../moves/due-index.js";
import { runScript } from "../scripts.js";
import { seconds } from "../store-ops.js";
import type { FlowKeys } from "./keys.js";
import type { SlotBatcher } from "./slot-batcher.js";
import { outcomesOf, type UniquePushBatcher } from "./unique-batcher.js";

/** Jobs per `unique-schedule` call. */
const CHUNK = 1_000;

/** What the flow capability needs from its store. */
export interface FlowContext {
  readonly client: RedisClient;
  readonly keys: Keys;
  readonly flow: FlowKeys;
  readonly pushes: UniquePushBatcher;
  readonly slots: SlotBatcher;
  /** Validate queue names for the layout (throws `INVALID_JOB`). */
  checkQueues(items: readonly { queue: string }[]): void;
  /** Wait for replicas as the store's `waitReplicas` asks (no-op without it). */
  confirm(keys: readonly string[]): Promise<void>;
  /** Announce that a job is due at `at` (epoch seconds) to the nodes' due-job promoters. */
  notifyDue(at: number): void;
}

/** {@link FlowCapability} on Redis; see `flow/keys.ts` for the keys and `lua/unique-*.lua`, `lua/limit-*.lua`. */
export function redisFlow(ctx: FlowContext): FlowCapability {
  const { client, keys, flow } = ctx;
  const limitKey = (
    slot: Pick<HeldSlot, "queue" | "limit" | "key">,
    part: Parameters<FlowKeys["limit"]>[3],
  ) => flow.limit(slot.queue, slot.limit.className, slot.key, part);
  return {
    pushUnique(jobs, once) {
      return mapped("enqueue", async () => {
        ctx.checkQueues(jobs);
        let outcomes: UniqueOutcome[] | undefined;
        if (once === undefined) outcomes = await ctx.pushes.push(jobs);
        else {
          const queue = jobs[0]?.queue;
          if (queue === undefined || jobs.some((job) => job.queue !== queue))
            throw new RangeError("[redis-store] pushUnique with a once marker takes jobs of one queue");
          outcomes = await ctx.pushes.pushOnce(queue, jobs, once);
        }
        await ctx.confirm([
          ...new Set(jobs.map((job) => keys.queue(job.queue))),
          // the cluster layout's `{verk}` registry write (another master): confirmed too
          ...(keys.layout === "cluster" ? [keys.queues] : []),
        ]);
        return outcomes;
      });
    },
    scheduleUnique(entries) {
      return mapped("schedule", async () => {
        ctx.checkQueues(entries);
        const outcomes = await scheduleUnique(ctx, entries);
        const kept = entries.filter((_, i) => outcomes[i]?.pushed);
        if (kept.length > 0) ctx.notifyDue(Math.min(...kept.map((e) => e.at)));
        return outcomes;
      });
    },
    async releaseUnique(queue, digest, jid) {
      return (await runScript(client, "unique-release", [flow.uniqueLock(queue, digest)], [jid])) === 1;
    },
    admit: (request) => ctx.slots.admit(request),
    releaseSlot: (slot) => ctx.slots.release(slot),
    async renewSlots(slots, ttlMs) {
      const byKey = new Map<string, string[]>();
      for (const slot of slots) {
        const running = limitKey(slot, "running");
        const members = byKey.get(running);
        if (members === undefined) byKey.set(running, [slot.member]);
        else members.push(slot.member);
      }
      const ttl = Math.max(1, Math.ceil(ttlMs));
      const kept = await Promise.all(
        [...byKey].map(([running, members]) =>
          runScript(client, "limit-renew", [running], [ttl, ...members]),
        ),
      );
      return kept.reduce<number>((sum, n) => sum + Number(n), 0);
    },
    async expire(queue, nodeId, raw, lock) {
      const counters = flow.counters(queue);
      const lockKey = lock === undefined ? counters : flow.uniqueLock(queue, lock.digest);
      const removed = await runScript(
        client,
        "flow-expire",
        [keys.inprogress(queue, nodeId), counters, lockKey],
        [raw, lock?.jid ?? ""],
      );
      return removed === 1;
    },
    async counters(queues) {
      const replies = await Promise.all(
        queues.map((queue) => client.hmget(flow.counters(queue), "expired", "limited", "duplicates")),
      );
      const out: Record<string, FlowCounters> = {};
      queues.forEach((queue, i) => {
        const [expired, limited, duplicates] = replies[i] ?? [];
        out[queue] = {
          expired: Number(expired ?? 0),
          limited: Number(limited ?? 0),
          duplicates: Number(duplicates ?? 0),
        };
      });
      return out;
    },
  };
}

/** Run `unique-schedule` per queue (chunks of 1,000); in the cluster layout note the due times and queue names. */
async function scheduleUnique(
  ctx: FlowContext,
  entries: readonly FlowScheduledJob[],
): Promise<UniqueOutcome[]> {
  const { client, keys, flow } = ctx;
  const byQueue = new Map<string, number[]>();
  entries.forEach((entry, i) => {
    const list = byQueue.get(entry.queue);
    if (list === undefined) byQueue.set(entry.queue, [i]);
    else list.push(i);
  });
  const outcomes: UniqueOutcome[] = new Array(entries.length);
  const calls: Promise<void>[] = [];
  for (const [queue, indexes] of byQueue) {
    for (let c = 0; c < indexes.length; c += CHUNK) {
      const chunk = indexes.slice(c, c + CHUNK);
      const scriptKeys = [keys.setOf("schedule", queue), flow.counters(queue)];
      const args: (string | number)[] = [];
      for (const i of chunk) {
        const entry = entries[i]!;
        const score = seconds(entry.at, "at");
        if (entry.lock === undefined) args.push(0, 0, entry.jid, score, entry.raw);
        else {
          scriptKeys.push(flow.uniqueLock(queue, entry.lock.digest));
          args.push(scriptKeys.length, Math.max(1, Math.ceil(entry.lock.ttlMs)), entry.jid, score, entry.raw);
        }
      }
      calls.push(
        (runScript(client, "unique-schedule", scriptKeys, args) as Promise<unknown[]>).then((reply) => {
          const each = outcomesOf(reply, chunk.length);
          chunk.forEach((index, j) => {
            outcomes[index] = each[j]!;
          });
        }),
      );
    }
  }
  await Promise.all(calls);
  if (keys.layout === "cluster") {
    const earliest = new Map<string, number>();
    entries.forEach((entry, i) => {
      if (!outcomes[i]?.pushed) return;
      earliest.set(entry.queue, Math.min(entry.at, earliest.get(entry.queue) ?? entry.at));
    });
    if (earliest.size > 0)
      await Promise.all([
        ...[...earliest].map(([queue, at]) => noteDue(client, keys, "schedule", queue, at)),
        client.sadd(keys.queues, ...earliest.keys()),
      ]);
  }
  await ctx.confirm([
    ...[...byQueue.keys()].map((queue) => keys.setOf("schedule", queue)),
    // the cluster layout's `{verk}` writes (registry, due index): a confirmed job must stay promotable
    ...(keys.layout === "cluster" ? [keys.queues, keys.dueIndex("schedule")] : []),
  ]);
  return outcomes;
}

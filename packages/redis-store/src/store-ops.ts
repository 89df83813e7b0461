import type { DeadSetLimits, FailOutcome, ScheduledEntry, StoreCounts } from "@verk/core";
import type { RedisClient } from "./client.js";
import { encodeControlMessage } from "./control.js";
import type { Keys } from "./keys.js";
import { noteDue } from "./moves/due-index.js";
import { formatSeconds, runScript } from "./scripts.js";

/** Payloads per ZADD command. */
const CHUNK = 1_000;

/** A finite number of epoch seconds for Redis, or a typed error naming `field`. */
export function seconds(value: number, field: string): string {
  if (!Number.isFinite(value)) throw new RangeError(`"${field}" must be a finite number of epoch seconds`);
  return formatSeconds(value);
}

/** ZADD scheduled entries to their queues' `schedule` sets (one per queue in the cluster layout). */
export async function scheduleEntries(
  redis: RedisClient,
  keys: Keys,
  entries: readonly ScheduledEntry[],
): Promise<void> {
  const byKey = new Map<string, { queue: string; args: string[]; earliest: number }>();
  for (const entry of entries) {
    const key = keys.setOf("schedule", entry.queue);
    let group = byKey.get(key);
    if (group === undefined) {
      group = { queue: entry.queue, args: [], earliest: entry.at };
      byKey.set(key, group);
    }
    group.args.push(seconds(entry.at, "at"), entry.raw);
    group.earliest = Math.min(group.earliest, entry.at);
  }
  const calls: Promise<unknown>[] = [];
  const cluster = keys.layout === "cluster";
  for (const [key, { args }] of byKey) {
    for (let i = 0; i < args.length; i += 2 * CHUNK)
      calls.push(redis.zadd(key, ...args.slice(i, i + 2 * CHUNK)));
  }
  await Promise.all(calls);
  if (cluster) {
    const queues = new Map<string, number>();
    for (const { queue, earliest } of byKey.values())
      queues.set(queue, Math.min(earliest, queues.get(queue) ?? earliest));
    await Promise.all([
      ...[...queues].map(([queue, at]) => noteDue(redis, keys, "schedule", queue, at)),
      redis.sadd(keys.queues, ...queues.keys()),
    ]);
  }
}

/** Atomically take `raw` out of the in-progress list and apply `outcome` (script `fail`). */
export async function failJob(
  redis: RedisClient,
  keys: Keys,
  queue: string,
  nodeId: string,
  raw: Buffer,
  outcome: FailOutcome,
): Promise<boolean> {
  const scriptKeys = [keys.inprogress(queue, nodeId), keys.setOf("retry", queue), keys.setOf("dead", queue)];
  let args: (string | Buffer)[];
  if (outcome.kind === "discard") args = [raw, "discard", "", "0", "0", "0"];
  else if (outcome.kind === "retry") args = [raw, "retry", outcome.raw, seconds(outcome.at, "at"), "0", "0"];
  else {
    const { maxJobs, maxAgeSeconds } = outcome.limits;
    const cutoff = seconds(outcome.at - maxAgeSeconds, "limits.maxAgeSeconds");
    args = [
      raw,
      "dead",
      outcome.raw,
      seconds(outcome.at, "at"),
      String(Math.max(0, Math.floor(maxJobs))),
      cutoff,
    ];
  }
  const written = (await runScript(redis, "fail", scriptKeys, args)) === 1;
  if (written && outcome.kind === "retry" && keys.layout === "cluster") {
    await noteDue(redis, keys, "retry", queue, outcome.at);
  }
  return written;
}

/** Move everything in `nodeId`'s in-progress lists back to the front of their queues, in order. */
export async function recoverNode(
  redis: RedisClient,
  keys: Keys,
  nodeId: string,
  batch: number,
): Promise<number> {
  const queues = await redis.smembers(keys.nodeQueues(nodeId));
  let total = 0;
  for (const queue of queues) {
    const scriptKeys = [keys.inprogress(queue, nodeId), keys.queue(queue)];
    for (;;) {
      const [moved, remaining] = (await runScript(redis, "recover", scriptKeys, [batch])) as [number, number];
      total += moved;
      if (remaining === 0 || moved === 0) break;
    }
  }
  return total;
}

/** Pause or resume `queue` for every node: the flag fetch reads, the listing set, and a notification. */
export async function setPaused(
  redis: RedisClient,
  keys: Keys,
  queue: string,
  paused: boolean,
): Promise<void> {
  const message = encodeControlMessage({ type: paused ? "pause" : "resume", queue });
  const flag = keys.pauseFlag(queue);
  const writes: Promise<unknown>[] = [
    paused ? redis.sadd(keys.paused, queue) : redis.srem(keys.paused, queue),
  ];
  if (flag.member === "") writes.push(paused ? redis.set(flag.key, "1") : redis.del(flag.key));
  await Promise.all(writes);
  await redis.publish(keys.control, message);
}

/**
 * Add `nodeId` to the node registry and `queues` to its queue set (script `register-node`,
 * allowed under maxmemory so a node can start while Redis is full).
 */
export async function registerNode(
  redis: RedisClient,
  keys: Keys,
  nodeId: string,
  queues: readonly string[],
): Promise<void> {
  await runScript(redis, "register-node", [keys.nodes, keys.nodeQueues(nodeId)], [nodeId, ...queues]);
}

/**
 * Remove `nodeId` from the registry and delete its queue set, but only when all its in-progress
 * lists are empty: otherwise the registration stays so recovery can find them.
 */
export async function deregisterNode(redis: RedisClient, keys: Keys, nodeId: string): Promise<void> {
  const queues = await redis.smembers(keys.nodeQueues(nodeId));
  const lengths = await Promise.all(queues.map((q) => redis.llen(keys.inprogress(q, nodeId))));
  if (lengths.some((n) => n > 0)) return;
  await Promise.all([redis.srem(keys.nodes, nodeId), redis.del(keys.nodeQueues(nodeId))]);
}

/** LLEN of every known queue, and the sizes of the schedule, retry and dead sets (summed over queues in the cluster layout). */
export async function counts(redis: RedisClient, keys: Keys): Promise<StoreCounts> {
  const names = (await redis.smembers(keys.queues)).sort();
  const lengths = await Promise.all(names.map((q) => redis.llen(keys.queue(q))));
  const queues: Record<string, number> = {};
  names.forEach((q, i) => {
    queues[q] = lengths[i] ?? 0;
  });
  const size = async (set: "schedule" | "retry" | "dead") => {
    if (keys.layout !== "cluster") return redis.zcard(keys.set(set));
    const sizes = await Promise.all(names.map((q) => redis.zcard(keys.setOf(set, q))));
    return sizes.reduce((a, b) => a + b, 0);
  };
  const [schedule, retry, dead] = await Promise.all([size("schedule"), size("retry"), size("dead")]);
  return { queues, schedule, retry, dead };
}

/** Run the `requeue` script: in-progress jobs (oldest first) back to the front of `queue`. */
export async function requeueJobs(
  redis: RedisClient,
  keys: Keys,
  queue: string,
  nodeId: string,
  raws: readonly Buffer[],
): Promise<number> {
  if (raws.length === 0) return 0;
  return (await runScript(
    redis,
    "requeue",
    [keys.inprogress(queue, nodeId), keys.queue(queue)],
    raws,
  )) as number;
}

/** Dead-set trimming used by promotion when an entry cannot be enqueued (Sidekiq's defaults). */
export const PROMOTE_DEAD_LIMITS: DeadSetLimits = { maxJobs: 10_000, maxAgeSeconds: 15_552_000 };

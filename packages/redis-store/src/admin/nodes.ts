import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { type Commands, sendAll } from "./batch.js";

import { listProcesses } from "./processes.js";
import { listQueues } from "./queues.js";
import type { AdminProcess, AdminQueue } from "./types.js";

/** A node of Verk's own registry (`verk_nodes`), whether or not it writes a Sidekiq process entry. */
export interface VerkNode {
  /** The node id (also its Sidekiq identity when it writes one). */
  readonly nodeId: string;
  /** Its liveness key exists (false: dead or stopped, jobs waiting for recovery). */
  readonly alive: boolean;
  /** Queues it registered. */
  readonly queues: string[];
  /** Jobs in its in-progress list, per queue (taken from the queue, not yet acked). */
  readonly inFlight: Readonly<Record<string, number>>;
}

/** A queue with who serves it and what is in flight. */
export interface QueueOverview extends AdminQueue {
  /** Identities of the live processes and nodes that run this queue, sorted. */
  readonly nodes: string[];
  /** Jobs of this queue in Verk in-progress lists (fetched, not yet acked). */
  readonly inFlight: number;
  /** Jobs of this queue running now, from the process heartbeats (Verk and Sidekiq). */
  readonly running: number;
}

/** Every node of `verk_nodes` with its liveness, queues and in-progress counts (two pipelines). */
export async function listVerkNodes(redis: Redis, keys: Keys): Promise<VerkNode[]> {
  const ids = (await redis.smembers(keys.nodes)).sort();
  if (ids.length === 0) return [];
  const first = redis.pipeline();
  for (const id of ids) first.exists(keys.heartbeat(id)).smembers(keys.nodeQueues(id));
  const res = (await first.exec()) ?? [];
  const queuesOf = ids.map((_, i) => ((res[2 * i + 1]?.[1] ?? []) as string[]).sort());
  // In-progress lists live in their queues' slots (cluster layout): sendAll routes each.
  const lens = await sendAll(
    redis,
    ids.flatMap((id, i) => queuesOf[i]!.map((q) => (c: Commands) => c.llen(keys.inprogress(q, id)))),
  );
  let k = 0;
  return ids.map((nodeId, i) => {
    const inFlight: Record<string, number> = {};
    for (const q of queuesOf[i]!) inFlight[q] = Number(lens[k++]?.[1] ?? 0);
    return { nodeId, alive: Number(res[2 * i]?.[1]) === 1, queues: queuesOf[i]!, inFlight };
  });
}

/** Every queue with size, latency, pause, the live nodes serving it, in-flight and running counts. */
export async function queueOverview(
  redis: Redis,
  keys: Keys,
  known?: { processes?: AdminProcess[]; nodes?: VerkNode[] },
): Promise<QueueOverview[]> {
  const [queues, processes, nodes] = await Promise.all([
    listQueues(redis, keys),
    known?.processes ?? listProcesses(redis, keys),
    known?.nodes ?? listVerkNodes(redis, keys),
  ]);
  const serving = new Map<string, Set<string>>();
  const serve = (queue: string, id: string) => {
    const s = serving.get(queue) ?? new Set<string>();
    serving.set(queue, s);
    s.add(id);
  };
  const running = new Map<string, number>();
  for (const p of processes) {
    for (const q of p.queues) serve(q, p.identity);
    for (const job of p.jobs) running.set(job.queue, (running.get(job.queue) ?? 0) + 1);
  }
  const inFlight = new Map<string, number>();
  for (const n of nodes) {
    if (n.alive) for (const q of n.queues) serve(q, n.nodeId);
    for (const [q, c] of Object.entries(n.inFlight)) inFlight.set(q, (inFlight.get(q) ?? 0) + c);
  }
  return queues.map((q) => ({
    ...q,
    nodes: [...(serving.get(q.name) ?? [])].sort(),
    inFlight: inFlight.get(q.name) ?? 0,
    running: running.get(q.name) ?? 0,
  }));
}

import type { NodeHandle } from "@verk/core";
import type { Redis } from "ioredis";
import type { Keys } from "../keys.js";
import { runScript } from "../scripts.js";

/**
 * Finds jobs in this node's own in-progress lists that no local job runner holds, and puts them
 * back at the front of their queue. They appear when a fetch reached Redis but its reply was lost
 * (connection drop, Redis killed after writing its AOF, or ioredis re-sending an unanswered fetch
 * after a reconnect): the node is alive, so no peer would ever recover them.
 * An entry counts as orphaned only when seen on two checks in a row (a job fetched a moment ago
 * may not be dispatched yet); the `requeue` script skips it if it was acked meanwhile.
 */
export class OrphanReconciler {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #node: NodeHandle;
  /** Orphan candidates of the last check: `queue` → raw → count. */
  #previous = new Map<string, Map<string, number>>();

  constructor(redis: Redis, keys: Keys, node: NodeHandle) {
    this.#redis = redis;
    this.#keys = keys;
    this.#node = node;
  }

  /** Check every queue of the node once; resolves the number of jobs put back. */
  async check(): Promise<number> {
    const node = this.#node;
    const running = new Map<string, Map<string, number>>();
    for (const job of node.runningJobs()) add(running, job.queue, bytesKey(job.raw));
    const current = new Map<string, Map<string, number>>();
    let moved = 0;
    for (const { name: queue } of node.queues()) {
      const key = this.#keys.inprogress(queue, node.nodeId);
      const listed = await this.#redis.lrangeBuffer(key, 0, -1);
      const held = new Map(running.get(queue) ?? []);
      const before = this.#previous.get(queue);
      const orphans: Buffer[] = [];
      for (const raw of listed) {
        const id = bytesKey(raw);
        const left = held.get(id) ?? 0;
        if (left > 0) {
          held.set(id, left - 1);
          continue;
        }
        add(current, queue, id);
        const seen = before?.get(id) ?? 0;
        if (seen > 0) {
          before!.set(id, seen - 1);
          orphans.push(raw);
        }
      }
      if (orphans.length > 0) {
        // requeue takes the payloads oldest first; the list holds the newest on the left.
        orphans.reverse();
        const count = (await runScript(
          this.#redis,
          "requeue",
          [key, this.#keys.queue(queue)],
          orphans,
        )) as number;
        moved += count;
        if (count > 0) {
          node.logger.warn(
            `[redis-store] put ${count} orphaned job(s) of this node's in-progress list back on "${queue}" (a fetch reply was lost)`,
          );
          node.emit("jobs:recovered", { nodeId: node.nodeId, fromNodeId: node.nodeId, count });
        }
      }
    }
    this.#previous = current;
    return moved;
  }
}

function add(map: Map<string, Map<string, number>>, queue: string, raw: string): void {
  let counts = map.get(queue);
  if (!counts) {
    counts = new Map();
    map.set(queue, counts);
  }
  counts.set(raw, (counts.get(raw) ?? 0) + 1);
}

/** A string standing for exact bytes (latin1 maps each byte to one character), usable as a map key. */
function bytesKey(raw: Buffer): string {
  return raw.toString("latin1");
}

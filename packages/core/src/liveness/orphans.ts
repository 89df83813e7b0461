import type { NodesCapability } from "../capabilities/nodes.js";
import type { LivenessNode } from "./node.js";

/**
 * Finds jobs in this node's own in-progress lists that no local job runner holds, and puts them
 * back at the front of their queue. They appear when a fetch reached the store but its reply was
 * lost (connection drop, Redis killed after writing its AOF, or a client re-sending an unanswered
 * fetch after a reconnect): the node is alive, so no peer would ever recover them.
 * An entry counts as orphaned only when seen on two checks in a row (a job fetched a moment ago
 * may not be dispatched yet); `requeue` skips it if it was acked meanwhile. @internal
 */
export class OrphanReconciler {
  readonly #nodes: NodesCapability;
  readonly #node: LivenessNode;
  /** Orphan candidates of the last check: `queue` → exact bytes (latin1) → count. */
  #previous = new Map<string, Map<string, number>>();

  constructor(nodes: NodesCapability, node: LivenessNode) {
    this.#nodes = nodes;
    this.#node = node;
  }

  /** Check every queue of the node once; resolves the number of jobs put back. */
  async check(): Promise<number> {
    const node = this.#node;
    const running = new Map<string, Map<string, number>>();
    for (const job of node.runningJobs()) add(running, job.queue, bytesKey(job.raw));
    const current = new Map<string, Map<string, number>>();
    let moved = 0;
    for (const queue of node.queueNames()) {
      const listed = await this.#nodes.inProgress(queue, node.nodeId);
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
      if (orphans.length === 0) continue;
      // requeue takes the payloads oldest first; the list holds the newest first.
      orphans.reverse();
      const count = await node.store.requeue(queue, node.nodeId, orphans);
      moved += count;
      if (count > 0) {
        node.logger.warn(
          { queue, nodeId: node.nodeId, count },
          `put ${count} orphaned job(s) of this node's in-progress list back on "${queue}" (a fetch reply was lost)`,
        );
        node.emit("jobs:recovered", { nodeId: node.nodeId, fromNodeId: node.nodeId, count });
      }
    }
    this.#previous = current;
    return moved;
  }
}

function add(map: Map<string, Map<string, number>>, queue: string, id: string): void {
  let counts = map.get(queue);
  if (!counts) {
    counts = new Map();
    map.set(queue, counts);
  }
  counts.set(id, (counts.get(id) ?? 0) + 1);
}

/** A string standing for exact bytes (latin1 maps each byte to one character), usable as a map key. */
function bytesKey(raw: Buffer): string {
  return raw.toString("latin1");
}

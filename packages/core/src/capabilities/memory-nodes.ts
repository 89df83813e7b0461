import type { NodesCapability } from "./nodes.js";

/** What the in-memory node registry needs from `MemoryStore`. */
export interface MemoryNodesBackend {
  list(key: string): string[];
  /** Registered node id → its queues. */
  readonly nodes: Map<string, Set<string>>;
  /** In-progress list key of `queue` on `nodeId`. */
  inProgressKey(queue: string, nodeId: string): string;
  /** Wake fetches waiting on `queue`. */
  wake(queue: string): void;
}

/** {@link NodesCapability} in memory (one process: for tests of the liveness policy). */
export function memoryNodes(backend: MemoryNodesBackend, dead: Map<string, number>): NodesCapability {
  const beats = new Map<string, { value: string; until: number }>();
  const live = (nodeId: string) => {
    const beat = beats.get(nodeId);
    if (beat && beat.until <= Date.now()) beats.delete(nodeId);
    return beats.get(nodeId);
  };
  return {
    async beat(nodeId, value, ttlMs, queues) {
      const previous = live(nodeId)?.value;
      beats.set(nodeId, { value, until: Date.now() + ttlMs });
      const registered = backend.nodes.has(nodeId);
      const set = backend.nodes.get(nodeId) ?? new Set<string>();
      for (const queue of queues) set.add(queue);
      backend.nodes.set(nodeId, set);
      return { previous, registered };
    },
    async readBeat(nodeId) {
      return live(nodeId)?.value;
    },
    async members() {
      return [...backend.nodes.keys()];
    },
    async alive(nodeIds) {
      return nodeIds.map((id) => live(id) !== undefined);
    },
    async recoverPeer(peerId, options) {
      let recovered = 0;
      let poisoned = 0;
      for (const queue of backend.nodes.get(peerId) ?? []) {
        if (live(peerId)) return { recovered, poisoned, dead: false };
        const list = backend.list(backend.inProgressKey(queue, peerId));
        const target = backend.list(`queue:${queue}`);
        while (list.length > 0) {
          const raw = list.shift()!;
          let job: Record<string, unknown> | undefined;
          try {
            job = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            job = undefined;
          }
          if (job === undefined || typeof job !== "object" || job === null) {
            target.push(raw);
            recovered++;
            continue;
          }
          const count = (typeof job.recoveries === "number" ? job.recoveries : 0) + 1;
          job.recoveries = count;
          if (count > options.maxRecoveries) {
            job.error_class = "Verk::PoisonPill";
            job.error_message = `recovered from dead nodes ${count} times (more than maxRecoveries = ${options.maxRecoveries}; last from node ${peerId}): moved to the dead set as a poison pill`;
            dead.set(JSON.stringify(job), Date.now() / 1000);
            poisoned++;
          } else {
            target.push(JSON.stringify(job));
            recovered++;
          }
        }
        backend.wake(queue);
      }
      return { recovered, poisoned, dead: true };
    },
    async forgetPeer(peerId) {
      if (live(peerId)) return false;
      const queues = backend.nodes.get(peerId);
      if (!queues) return false;
      for (const queue of queues)
        if (backend.list(backend.inProgressKey(queue, peerId)).length > 0) return false;
      backend.nodes.delete(peerId);
      return true;
    },
    async inProgress(queue, nodeId) {
      return backend.list(backend.inProgressKey(queue, nodeId)).map((raw) => Buffer.from(raw));
    },
    async endBeat(nodeId) {
      beats.delete(nodeId);
    },
  };
}

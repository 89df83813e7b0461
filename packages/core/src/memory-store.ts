import { memoryCapabilities } from "./capabilities/memory.js";
import { memoryNodes } from "./capabilities/memory-nodes.js";
import type {
  ControlMessage,
  DueSet,
  EncodedJob,
  FailOutcome,
  FetchResult,
  QueueChannel,
  ScheduledEntry,
  StoreCounts,
  VerkStore,
} from "./store.js";

type SortedSet = Map<string, number>;

/**
 * An in-memory {@link VerkStore} with the same semantics as the Redis store (lists whose
 * left end is index 0, FIFO from the right, per-node in-progress lists). For unit tests and
 * examples: nothing survives the process. Payloads are kept as strings (so invalid UTF-8 cannot
 * be represented; the Redis store keeps exact bytes).
 */
export class MemoryStore implements VerkStore {
  readonly kind = "memory";
  /** `queue:<name>` lists; index 0 is the left end. */
  readonly lists = new Map<string, string[]>();
  /** Known queue names (Sidekiq's `queues` set). */
  readonly queueNames = new Set<string>();
  readonly sets: Record<DueSet | "dead", SortedSet> = {
    schedule: new Map(),
    retry: new Map(),
    dead: new Map(),
  };
  readonly paused = new Set<string>();
  readonly nodes = new Map<string, Set<string>>();
  /** In-memory versions of every optional capability (stats, lease, once, event log, nodes, ...). */
  readonly capabilities = {
    ...memoryCapabilities(this),
    nodes: memoryNodes(
      {
        list: (key) => this.list(key),
        nodes: this.nodes,
        inProgressKey: (queue, nodeId) => MemoryStore.inProgressKey(queue, nodeId),
        wake: (queue) => this.#wake(queue),
      },
      this.sets.dead,
    ),
  };
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #controlListeners = new Set<(message: ControlMessage) => void>();

  async connect(): Promise<void> {}
  async close(): Promise<void> {}

  /** The list behind `key` (created empty). */
  list(key: string): string[] {
    let list = this.lists.get(key);
    if (!list) {
      list = [];
      this.lists.set(key, list);
    }
    return list;
  }

  /** In-progress list key of `queue` on `nodeId`. */
  static inProgressKey(queue: string, nodeId: string): string {
    return `inprogress:${queue}:${nodeId}`;
  }

  async push(jobs: readonly EncodedJob[]): Promise<void> {
    for (const { queue, raw } of jobs) {
      this.queueNames.add(queue);
      this.list(`queue:${queue}`).unshift(raw);
    }
    for (const queue of new Set(jobs.map((job) => job.queue))) this.#wake(queue);
  }

  async schedule(entries: readonly ScheduledEntry[]): Promise<void> {
    for (const { raw, at } of entries) this.sets.schedule.set(raw, at);
    if (entries.length > 0) void this.capabilities.dueWatch.notify(Math.min(...entries.map((e) => e.at)));
  }

  openQueue(queue: string, nodeId: string): QueueChannel {
    let cancel: (() => void) | undefined;
    const take = (max: number): FetchResult => {
      if (this.paused.has(queue)) return { paused: true, jobs: [] };
      const source = this.list(`queue:${queue}`);
      const target = this.list(MemoryStore.inProgressKey(queue, nodeId));
      const jobs: Buffer[] = [];
      while (jobs.length < max && source.length > 0) {
        const raw = source.pop()!;
        target.unshift(raw);
        jobs.push(Buffer.from(raw));
      }
      return { paused: false, jobs };
    };
    return {
      fetch: async (max, blockMs) => {
        const first = take(max);
        if (first.paused || first.jobs.length > 0) return first;
        await new Promise<void>((resolve) => {
          const waiters = this.#waitersOf(queue);
          const done = () => {
            clearTimeout(timer);
            waiters.delete(done);
            cancel = undefined;
            resolve();
          };
          const timer = setTimeout(done, blockMs);
          waiters.add(done);
          cancel = done;
        });
        return take(max);
      },
      interrupt: () => cancel?.(),
      close: async () => cancel?.(),
    };
  }

  async ack(queue: string, nodeId: string, raw: Buffer): Promise<boolean> {
    return this.#remove(MemoryStore.inProgressKey(queue, nodeId), raw.toString());
  }

  async fail(queue: string, nodeId: string, raw: Buffer, outcome: FailOutcome): Promise<boolean> {
    if (!this.#remove(MemoryStore.inProgressKey(queue, nodeId), raw.toString())) return false;
    if (outcome.kind === "retry") this.sets.retry.set(outcome.raw, outcome.at);
    if (outcome.kind === "dead") {
      const dead = this.sets.dead;
      dead.set(outcome.raw, outcome.at);
      const cutoff = outcome.at - outcome.limits.maxAgeSeconds;
      const byScore = [...dead.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
      for (const [member, score] of byScore) if (score < cutoff) dead.delete(member);
      const kept = byScore.filter(([member]) => dead.has(member));
      for (const [member] of kept.slice(0, Math.max(0, kept.length - outcome.limits.maxJobs)))
        dead.delete(member);
    }
    return true;
  }

  async requeue(queue: string, nodeId: string, raws: readonly Buffer[]): Promise<number> {
    const key = MemoryStore.inProgressKey(queue, nodeId);
    let moved = 0;
    for (let i = raws.length - 1; i >= 0; i--) {
      const raw = raws[i]!.toString();
      if (this.#remove(key, raw)) {
        this.list(`queue:${queue}`).push(raw);
        moved++;
      }
    }
    if (moved > 0) this.#wake(queue);
    return moved;
  }

  async recoverNode(nodeId: string): Promise<number> {
    let moved = 0;
    for (const queue of this.nodes.get(nodeId) ?? []) {
      const inProgress = this.list(MemoryStore.inProgressKey(queue, nodeId));
      const target = this.list(`queue:${queue}`);
      while (inProgress.length > 0) {
        target.push(inProgress.shift()!);
        moved++;
      }
      this.#wake(queue);
    }
    return moved;
  }

  async promoteDue(set: DueSet, now: number, limit: number): Promise<number> {
    const due = [...this.sets[set].entries()]
      .filter(([, score]) => score <= now)
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit);
    for (const [member] of due) {
      this.sets[set].delete(member);
      let queue: unknown;
      try {
        queue = (JSON.parse(member) as { queue?: unknown }).queue;
      } catch {
        queue = undefined;
      }
      if (typeof queue !== "string") {
        this.sets.dead.set(member, now);
        continue;
      }
      const job = JSON.parse(member) as Record<string, unknown>;
      // Keep the job's unit: integer-ms `created_at` (Sidekiq 8) gets `enqueued_at` in ms.
      job.enqueued_at =
        typeof job.created_at === "number" && job.created_at > 1e11 ? Math.round(now * 1000) : now;
      await this.push([{ queue, raw: JSON.stringify(job) }]);
    }
    return due.length;
  }

  async nextDue(set: DueSet): Promise<number | undefined> {
    let min: number | undefined;
    for (const score of this.sets[set].values()) if (min === undefined || score < min) min = score;
    return min;
  }

  async setPaused(queue: string, paused: boolean): Promise<void> {
    if (paused) this.paused.add(queue);
    else this.paused.delete(queue);
    for (const listener of this.#controlListeners) listener({ type: paused ? "pause" : "resume", queue });
    if (!paused) this.#wake(queue);
  }

  async pausedQueues(): Promise<string[]> {
    return [...this.paused];
  }

  /** True when `name` is registered, has waiting jobs, is paused, or a node with a live heartbeat runs it. */
  async queueKnown(name: string): Promise<boolean> {
    if (this.queueNames.has(name) || (this.lists.get(`queue:${name}`)?.length ?? 0) > 0) return true;
    if (this.paused.has(name)) return true;
    const serving = [...this.nodes].filter(([, queues]) => queues.has(name)).map(([id]) => id);
    return (await this.capabilities.nodes.alive(serving)).includes(true);
  }

  async subscribeControl(listener: (message: ControlMessage) => void): Promise<() => Promise<void>> {
    this.#controlListeners.add(listener);
    return async () => {
      this.#controlListeners.delete(listener);
    };
  }

  async registerNode(nodeId: string, queues: readonly string[]): Promise<void> {
    let set = this.nodes.get(nodeId);
    if (!set) {
      set = new Set();
      this.nodes.set(nodeId, set);
    }
    for (const queue of queues) set.add(queue);
  }

  async deregisterNode(nodeId: string): Promise<void> {
    const queues = this.nodes.get(nodeId) ?? new Set<string>();
    const busy = [...queues].some((queue) => this.list(MemoryStore.inProgressKey(queue, nodeId)).length > 0);
    if (!busy) this.nodes.delete(nodeId);
  }

  async counts(): Promise<StoreCounts> {
    const queues: Record<string, number> = {};
    for (const name of this.queueNames) queues[name] = this.list(`queue:${name}`).length;
    return {
      queues,
      schedule: this.sets.schedule.size,
      retry: this.sets.retry.size,
      dead: this.sets.dead.size,
    };
  }

  #remove(key: string, raw: string): boolean {
    const list = this.list(key);
    const index = list.lastIndexOf(raw);
    if (index < 0) return false;
    list.splice(index, 1);
    return true;
  }

  #waitersOf(queue: string): Set<() => void> {
    let set = this.#waiters.get(queue);
    if (!set) {
      set = new Set();
      this.#waiters.set(queue, set);
    }
    return set;
  }

  #wake(queue: string): void {
    for (const waiter of [...(this.#waiters.get(queue) ?? [])]) waiter();
  }
}

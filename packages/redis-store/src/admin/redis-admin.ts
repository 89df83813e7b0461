import { DEFAULT_DEAD_LIMITS, type DeadSetLimits, VerkError } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { queueKnown } from "../queue-known.js";
import type { MoveAction } from "./actions.js";
import { listVerkNodes, type QueueOverview, queueOverview, type VerkNode } from "./nodes.js";
import { listProcesses } from "./processes.js";
import {
  deleteQueueJob,
  findQueueJob,
  listQueueJobs,
  type QueueJob,
  type QueueJobsPage,
  type QueueSearchOptions,
  type QueueSearchResult,
  searchQueueJobs,
} from "./queue-jobs.js";
import { clearQueue, listQueues } from "./queues.js";
import { type ServerInfo, serverInfo } from "./server-info.js";
import type { EntryKey, SearchFilters, SearchOptions, SearchResult } from "./set-search.js";
import { SetViews } from "./set-views.js";
import { type ProcessSignal, signalAll, signalProcess } from "./signals.js";
import type {
  ActionResult,
  AdminProcess,
  AdminQueue,
  AdminSetName,
  ListOptions,
  ListPage,
  ProgressFn,
  SetEntry,
} from "./types.js";

/** The parts of a `RedisStore` the admin API needs. */
export interface AdminSource {
  /** A connected (or lazily connecting) command connection. */
  readonly client: Redis;
  /** The key names (namespace applied). */
  readonly keys: Keys;
}

/** Which actions each set allows (Sidekiq's Web UI: retries retry/delete/kill, scheduled enqueue/delete, dead retry/delete). */
const ALLOWED: Record<AdminSetName, readonly (MoveAction | "delete")[]> = {
  retry: ["retry", "delete", "kill"],
  schedule: ["enqueue", "delete", "kill"],
  dead: ["retry", "delete"],
};

/**
 * Operator actions on a Verk/Sidekiq Redis: list and search the `schedule`, `retry` and `dead`
 * sets, retry / enqueue-now / kill / delete entries one by one or in bulk, list and clear queues,
 * list processes. Moves go through the `move-entries` Lua script, which moves an entry only when
 * it removed it from its set, so a concurrent scheduler or operator never makes a job run twice
 * and no job is lost. On the cluster key layout each queue has its own sets: every view merges
 * them in display order (paging, cursors and totals as on one set) and every move runs in the
 * slot of the set holding the entry (a job bound for another queue goes through that queue's
 * outbox). Build it from a store: `new RedisAdmin(redisStore({ url }))` (connect the store first).
 */
export class RedisAdmin {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #sets: SetViews;

  /**
   * @param source - a `RedisStore` (or any `{ client, keys }`).
   * @param deadLimits - trimming applied when `kill` adds to the dead set. (Default: 10,000 jobs, 180 days)
   */
  constructor(source: AdminSource, deadLimits: Partial<DeadSetLimits> = {}) {
    this.#redis = source.client;
    this.#keys = source.keys;
    this.#sets = new SetViews(source.client, source.keys, { ...DEFAULT_DEAD_LIMITS, ...deadLimits });
  }

  /** A page of `set`, filtered; see {@link ListOptions}. */
  list(set: AdminSetName, options: ListOptions = {}): Promise<ListPage> {
    return this.#sets.list(set, options);
  }

  /** Every entry of `set` passing the filters (a snapshot, read in chunks). */
  entries(set: AdminSetName, options: ListOptions = {}): Promise<SetEntry[]> {
    return this.#sets.entries(set, options);
  }

  /** The entry of `set` with this jid, or `undefined`. */
  async find(set: AdminSetName, jid: string): Promise<SetEntry | undefined> {
    return this.#sets.find(set, jid);
  }

  /**
   * Apply `action` to the entry with `jid` in `set`: `"retry"` (to its queue, `retry_count` − 1,
   * new `enqueued_at`), `"enqueue"` (to its queue now), `"kill"` (to the dead set) or `"delete"`.
   * @throws VerkError `INVALID_OPTION` when `set` does not allow `action`.
   * @returns `undefined` when no entry has that jid.
   */
  async actOn(
    set: AdminSetName,
    jid: string,
    action: MoveAction | "delete",
  ): Promise<ActionResult | undefined> {
    this.#check(set, action);
    return this.#sets.actOn(set, jid, action);
  }

  /**
   * Apply `action` to every entry of `set` passing the filters (a snapshot taken first), in
   * batches of 100, calling `onProgress` after each batch.
   */
  async actOnAll(
    set: AdminSetName,
    action: MoveAction | "delete",
    filters: ListOptions = {},
    onProgress?: ProgressFn,
  ): Promise<ActionResult> {
    this.#check(set, action);
    return this.#sets.actOnAll(set, action, filters, onProgress);
  }

  /** Every known queue with size, latency and pause state, sorted by name. */
  queues(): Promise<AdminQueue[]> {
    return listQueues(this.#redis, this.#keys);
  }

  /**
   * True when `name` is a known queue: in `queues`, has jobs, is paused, or a live node serves it
   * (the rule of `verk.pauseQueue`, `RedisStore.queueKnown`).
   */
  queueExists(name: string): Promise<boolean> {
    return queueKnown(this.#redis, this.#keys, name);
  }

  /** Delete every waiting job of `name` and remove it from `queues`; resolves the jobs deleted. */
  clearQueue(name: string): Promise<number> {
    return clearQueue(this.#redis, this.#keys, name);
  }

  /** Live processes (Verk nodes and Sidekiq processes) with their running jobs. */
  processes(): Promise<AdminProcess[]> {
    return listProcesses(this.#redis, this.#keys);
  }

  /**
   * A bounded search of `set` (filters by class, queue, error text and args text): reads at most
   * `maxScan` members (default 10,000) from rank `cursor`, in chunks of 500, and says where to go on.
   */
  search(set: AdminSetName, options: SearchOptions = {}): Promise<SearchResult> {
    return this.#sets.search(set, options);
  }

  /** The entries addressed by `"<score>-<jid>"` keys (ZRANGE BYSCORE on each score: no scan). */
  findByKeys(set: AdminSetName, keys: readonly EntryKey[]): Promise<SetEntry[]> {
    return this.#sets.findByKeys(set, keys);
  }

  /**
   * Apply `action` to the entries addressed by `keys` (a selection); `missing` counts keys no
   * longer in the set. Same moves as {@link RedisAdmin.actOn}.
   * @throws VerkError `INVALID_OPTION` when `set` does not allow `action`.
   */
  async actOnKeys(
    set: AdminSetName,
    action: MoveAction | "delete",
    keys: readonly EntryKey[],
  ): Promise<ActionResult & { readonly missing: number }> {
    this.#check(set, action);
    return this.#sets.actOnKeys(set, action, keys);
  }

  /**
   * Apply `action` to every entry passing `filters` (args text included), chunk by chunk with
   * bounded memory, calling `onProgress(read, total)`.
   * @throws VerkError `INVALID_OPTION` when `set` does not allow `action`.
   */
  async actOnMatching(
    set: AdminSetName,
    action: MoveAction | "delete",
    filters: SearchFilters = {},
    onProgress?: ProgressFn,
  ): Promise<ActionResult> {
    this.#check(set, action);
    return this.#sets.actOnMatching(set, action, filters, onProgress);
  }

  /** Every queue with size, latency, pause, the live nodes serving it, in-flight and running counts. */
  queueOverview(known?: { processes?: AdminProcess[]; nodes?: VerkNode[] }): Promise<QueueOverview[]> {
    return queueOverview(this.#redis, this.#keys, known);
  }

  /** One page (offset/limit, default 0/25) of `queue`'s waiting jobs in run order (position 0 runs next). */
  queueJobs(queue: string, options: { offset?: number; limit?: number } = {}): Promise<QueueJobsPage> {
    return listQueueJobs(this.#redis, this.#keys, queue, options);
  }

  /** A bounded search of `queue` (text in the payload, class); reads at most `maxScan` jobs (default 10,000). */
  searchQueue(queue: string, options: QueueSearchOptions = {}): Promise<QueueSearchResult> {
    return searchQueueJobs(this.#redis, this.#keys, queue, options);
  }

  /** The waiting job of `queue` with `jid` (near position `hint` first, else a chunked scan). */
  findQueueJob(queue: string, jid: string, hint?: number): Promise<QueueJob | undefined> {
    return findQueueJob(this.#redis, this.#keys, queue, jid, hint);
  }

  /** Delete the waiting job with `jid` from `queue`; resolves it, or `undefined` when none (or fetched meanwhile). */
  deleteQueueJob(queue: string, jid: string, hint?: number): Promise<QueueJob | undefined> {
    return deleteQueueJob(this.#redis, this.#keys, queue, jid, hint);
  }

  /** Nodes of Verk's registry (`verk_nodes`), with liveness and in-progress counts per queue. */
  verkNodes(): Promise<VerkNode[]> {
    return listVerkNodes(this.#redis, this.#keys);
  }

  /**
   * Quiet (`"TSTP"`: stop fetching) or stop (`"TERM"`) the live process `identity` remotely, through
   * Sidekiq's `<identity>-signals` list; it acts at its next heartbeat (Verk and Sidekiq alike).
   * @returns false when no live process has that identity.
   */
  async signal(identity: string, signal: ProcessSignal): Promise<boolean> {
    this.#checkSignal(signal);
    return signalProcess(this.#redis, this.#keys, identity, signal);
  }

  /** Send `signal` to every live process; resolves the identities signalled. */
  async signalAll(signal: ProcessSignal): Promise<string[]> {
    this.#checkSignal(signal);
    return signalAll(this.#redis, this.#keys, signal);
  }

  /** Version, uptime, clients and memory of the Redis server. */
  serverInfo(): Promise<ServerInfo> {
    return serverInfo(this.#redis);
  }

  #checkSignal(signal: string): void {
    if (signal !== "TSTP" && signal !== "TERM")
      throw new VerkError(
        "INVALID_OPTION",
        `signal must be "TSTP" (quiet) or "TERM" (stop), got ${JSON.stringify(signal)}`,
        {
          field: "signal",
        },
      );
  }

  #check(set: AdminSetName, action: MoveAction | "delete"): void {
    if (!ALLOWED[set].includes(action)) {
      throw new VerkError("INVALID_OPTION", `"${action}" is not an action of the ${set} set`, {
        field: "action",
      });
    }
  }
}

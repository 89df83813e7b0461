import { DEFAULT_DEAD_LIMITS, type DeadSetLimits, VerkError } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import { applyInBatches, type MoveAction } from "./actions.js";
import { findEntries, listEntries, scanEntries } from "./entries.js";
import { listProcesses } from "./processes.js";
import { clearQueue, listQueues, queueExists } from "./queues.js";
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
 * list processes. Moves go through the `admin-move` Lua script, which moves an entry only when it
 * removed it from its set, so a concurrent scheduler or operator never makes a job run twice and
 * no job is lost. Build it from a store: `new RedisAdmin(redisStore({ url }))` (connect the store first).
 */
export class RedisAdmin {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #limits: DeadSetLimits;

  /**
   * @param source - a `RedisStore` (or any `{ client, keys }`).
   * @param deadLimits - trimming applied when `kill` adds to the dead set. (Default: 10,000 jobs, 180 days)
   */
  constructor(source: AdminSource, deadLimits: Partial<DeadSetLimits> = {}) {
    this.#redis = source.client;
    this.#keys = source.keys;
    this.#limits = { ...DEFAULT_DEAD_LIMITS, ...deadLimits };
  }

  /** A page of `set`, filtered; see {@link ListOptions}. */
  list(set: AdminSetName, options: ListOptions = {}): Promise<ListPage> {
    return listEntries(this.#redis, this.#keys.set(set), set, options);
  }

  /** Every entry of `set` passing the filters (a snapshot, read in chunks). */
  entries(set: AdminSetName, options: ListOptions = {}): Promise<SetEntry[]> {
    return scanEntries(this.#redis, this.#keys.set(set), set, options);
  }

  /** The entry of `set` with this jid, or `undefined`. */
  async find(set: AdminSetName, jid: string): Promise<SetEntry | undefined> {
    return (await findEntries(this.#redis, this.#keys.set(set), set, jid))[0];
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
    const found = await findEntries(this.#redis, this.#keys.set(set), set, jid);
    if (found.length === 0) return undefined;
    return applyInBatches(
      this.#redis,
      this.#keys,
      set,
      action,
      found.map((e) => e.raw),
      this.#limits,
    );
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
    const all = await scanEntries(this.#redis, this.#keys.set(set), set, filters);
    return applyInBatches(
      this.#redis,
      this.#keys,
      set,
      action,
      all.map((e) => e.raw),
      this.#limits,
      onProgress,
    );
  }

  /** Every known queue with size, latency and pause state, sorted by name. */
  queues(): Promise<AdminQueue[]> {
    return listQueues(this.#redis, this.#keys);
  }

  /** True when `name` is a known queue (in `queues`, has jobs, or is paused). */
  queueExists(name: string): Promise<boolean> {
    return queueExists(this.#redis, this.#keys, name);
  }

  /** Delete every waiting job of `name` and remove it from `queues`; resolves the jobs deleted. */
  clearQueue(name: string): Promise<number> {
    return clearQueue(this.#redis, this.#keys, name);
  }

  /** Live processes (Verk nodes and Sidekiq processes) with their running jobs. */
  processes(): Promise<AdminProcess[]> {
    return listProcesses(this.#redis, this.#keys);
  }

  #check(set: AdminSetName, action: MoveAction | "delete"): void {
    if (!ALLOWED[set].includes(action)) {
      throw new VerkError("INVALID_OPTION", `"${action}" is not an action of the ${set} set`, {
        field: "action",
      });
    }
  }
}

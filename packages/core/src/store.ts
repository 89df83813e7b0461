/**
 * The storage contract. `@verk/core` talks to its backend only through {@link VerkStore},
 * whose methods are queue *semantics* (push, fetch into in-progress, ack, fail, promote,
 * requeue), never raw commands. `@verk/redis-store` implements it on Redis with Lua;
 * {@link MemoryStore} implements it in memory for unit tests.
 *
 * Fetched payloads cross this boundary as their exact stored bytes (a `Buffer`): those bytes are
 * the identity used to remove a job from an in-progress list (ack, fail, requeue), so they are
 * handed back unchanged, whatever they contain (invalid UTF-8 included). Payloads Verk writes are
 * JSON strings.
 */

import type { QueueChannelOptions } from "./capabilities/flow.js";
import type { StoreCapabilities } from "./capabilities/index.js";
import type { Logger } from "./logger.js";
import type { NodeHandle } from "./node-handle.js";

/** A job ready to push onto its queue list. */
export interface EncodedJob {
  /** Queue name (without `queue:`). */
  readonly queue: string;
  /** The stored JSON. */
  readonly raw: string;
}

/** A job to put in the `schedule` sorted set. */
export interface ScheduledEntry {
  /** Queue name of the job (stores that keep one schedule set per queue use it). */
  readonly queue: string;
  /** The stored JSON (without `enqueued_at`). */
  readonly raw: string;
  /** When it is due, epoch **seconds** (float). */
  readonly at: number;
}

/** The names of the time-ordered sets that hold jobs waiting for a time. */
export type DueSet = "schedule" | "retry";

/** Limits applied to the dead set whenever a job is added to it. */
export interface DeadSetLimits {
  /** Keep at most this many jobs. (Default: 10,000) */
  readonly maxJobs: number;
  /** Drop jobs that died more than this many seconds ago. (Default: 15,552,000 = 180 days) */
  readonly maxAgeSeconds: number;
}

/** What to do with a job that failed: decided by core, written atomically by the store. */
export type FailOutcome =
  /** Put the updated payload in the `retry` set, due at `at` (epoch seconds). */
  | { readonly kind: "retry"; readonly raw: string; readonly at: number }
  /** Put the updated payload in the `dead` set, scored `at`, then trim it by `limits`. */
  | { readonly kind: "dead"; readonly raw: string; readonly at: number; readonly limits: DeadSetLimits }
  /** Drop the job (`retry: false`, or `dead: false` when retries ran out). */
  | { readonly kind: "discard" };

/** What one fetch returned. */
export interface FetchResult {
  /** True when the queue is paused in the store; `jobs` is then empty. */
  readonly paused: boolean;
  /** Payloads moved into this node's in-progress list, oldest first, as their exact stored bytes. */
  readonly jobs: Buffer[];
}

/** One queue's private fetch channel (in Redis: its own connection). */
export interface QueueChannel {
  /**
   * Move up to `max` jobs from the queue into the node's in-progress list and return them.
   * When none is waiting, block up to `blockMs` milliseconds for the next one.
   */
  fetch(max: number, blockMs: number): Promise<FetchResult>;
  /** Cut a pending blocking `fetch` short (it then resolves with no jobs). */
  interrupt(): void;
  /** Release the channel's resources. */
  close(): Promise<void>;
}

/** A notification that a queue was paused or resumed somewhere. */
export interface ControlMessage {
  readonly type: "pause" | "resume";
  readonly queue: string;
}

/** Size counts of a queue and the sets, for status displays and tests. */
export interface StoreCounts {
  /** Jobs waiting per queue. */
  readonly queues: Record<string, number>;
  readonly schedule: number;
  readonly retry: number;
  readonly dead: number;
}

/** What a store may report through, given by `connect()` (the logger and error events of its Verk node). */
export interface StoreContext {
  /** The node's logger, for warnings such as an unreachable backend or a skewed clock. */
  readonly logger: Logger;
  /** Report a problem as the node's `error` event (`context` names it, e.g. `"unreachable"`). */
  report(error: unknown, context: string): void;
}

/** The storage contract; see the module note. */
export interface VerkStore {
  /** Short name of the implementation, e.g. `"redis"` or `"memory"`. */
  readonly kind: string;
  /** Connect and validate the backend. Idempotent. `context` receives the store's warnings. */
  connect(context?: StoreContext): Promise<void>;
  /** Close every connection. Idempotent. */
  close(): Promise<void>;

  /** Push jobs onto their queues (FIFO: each runs after the jobs already waiting) and register the queues. */
  push(jobs: readonly EncodedJob[]): Promise<void>;
  /** Add jobs to the `schedule` set. */
  schedule(entries: readonly ScheduledEntry[]): Promise<void>;

  /**
   * Open the private fetch channel of `queue` for node `nodeId`. `options` (flow control, given
   * only when the node runs limited classes) are for stores with the `flow` capability.
   */
  openQueue(queue: string, nodeId: string, options?: QueueChannelOptions): QueueChannel;
  /**
   * Acknowledge a finished job: remove it (`raw`: the bytes `fetch` returned) from the node's in-progress list.
   * Resolves false when it was not there any more (it was recovered elsewhere): nothing is changed then.
   */
  ack(queue: string, nodeId: string, raw: Buffer): Promise<boolean>;
  /**
   * Atomically remove a failed job from the in-progress list and apply `outcome`.
   * Resolves false (and changes nothing) when the job was not in the in-progress list.
   */
  fail(queue: string, nodeId: string, raw: Buffer, outcome: FailOutcome): Promise<boolean>;
  /** Move these in-progress jobs back to the **front** of their queue (they run next). Resolves the count moved. */
  requeue(queue: string, nodeId: string, raws: readonly Buffer[]): Promise<number>;
  /** Move every job left in `nodeId`'s in-progress lists back to the front of its queue. Resolves the count. */
  recoverNode(nodeId: string): Promise<number>;
  /**
   * Move up to `limit` jobs due at `now` (epoch seconds) from `set` to their queues (an unreadable
   * entry goes to the dead set instead). Resolves the number of entries taken from `set`.
   */
  promoteDue(set: DueSet, now: number, limit: number): Promise<number>;
  /**
   * Optional: when the next job of `set` is due (epoch seconds), or `undefined` when none is
   * waiting; lets the runtime wake exactly then instead of polling.
   */
  nextDue?(set: DueSet): Promise<number | undefined>;
  /**
   * Optional: the current time by the backend's clock, epoch milliseconds (e.g. Redis `TIME`
   * corrected by the measured round trip). Due times are judged by it, so nodes with skewed
   * clocks agree on when a job is due. (Default: `Date.now()`)
   */
  now?(): number;

  /** Pause or resume `queue` for every node; notifies subscribers. */
  setPaused(queue: string, paused: boolean): Promise<void>;
  /** The queues currently paused. */
  pausedQueues(): Promise<string[]>;
  /**
   * Optional: whether `name` is a known queue: registered by a push, with waiting jobs, paused, or
   * served by a live node (one with a live heartbeat that runs it, or a Sidekiq process listing
   * it). `pauseQueue`/`resumeQueue` refuse unknown names with it. (Default: registered, with
   * jobs, or paused, from `counts()` and `pausedQueues()`)
   */
  queueKnown?(name: string): Promise<boolean>;
  /** Follow pause/resume changes from any node. Resolves an unsubscribe function. */
  subscribeControl(listener: (message: ControlMessage) => void): Promise<() => Promise<void>>;

  /** Record that node `nodeId` is alive and may own in-progress jobs of `queues`. */
  registerNode(nodeId: string, queues: readonly string[]): Promise<void>;
  /** Remove node `nodeId` from the registry (after a clean stop). */
  deregisterNode(nodeId: string): Promise<void>;

  /** Sizes of the queues and sets. */
  counts(): Promise<StoreCounts>;

  /**
   * Optional: called by `start()` once the queues run. A store may start heartbeats, dead-peer
   * recovery or remote signal handling here. Resolves a function that `stop()` calls (before
   * `deregisterNode`) to end them.
   */
  attachNode?(node: NodeHandle): Promise<() => Promise<void>>;

  /**
   * Optional features for the add-ons (persisted stats, leases, exactly-once markers, the
   * event log, ...); see {@link StoreCapabilities}. An add-on whose capability is missing throws
   * `INVALID_OPTION` at setup.
   */
  readonly capabilities?: StoreCapabilities;
}

import type { JobPayload } from "./job.js";
import type { Logger } from "./logger.js";
import type { EnqueueKind } from "./plugin.js";

/** Fields every job event carries. Times are epoch milliseconds. */
export interface JobEventBase {
  /** The job as fetched. */
  readonly job: JobPayload;
  /** Queue it ran on. */
  readonly queue: string;
  /** Node that ran it. */
  readonly nodeId: string;
  /** When it started, epoch ms. */
  readonly startedAt: number;
}

/**
 * The lifecycle events of a Verk node, by name. Add-ons (`@verk/events`, `@verk/stats`) consume these.
 * Every `job:started` is followed by exactly one of `job:finished`, `job:failed` or `job:unacked`
 * (unless the node stops hard and puts the job back), each emitted only after the store write it
 * reports landed.
 */
export interface VerkEventMap {
  /** A job was fetched and its handler is about to run. */
  "job:started": JobEventBase;
  /** A job's handler resolved **and its ack was written** (the job left this node's in-progress list). */
  "job:finished": JobEventBase & { readonly finishedAt: number; readonly durationMs: number };
  /**
   * A job's handler failed (threw, rejected, timed out, or no worker exists) **and its outcome was
   * written**: `outcome` says where it went (`retry` set, `dead` set, or `discard`ed: `retry: false`,
   * `dead: false`, or an unknown class whose payload has no `retry`, as Sidekiq drops those;
   * `error` then is an `UnknownWorkerError` with `dropped: true` saying so).
   */
  "job:failed": JobEventBase & {
    readonly error: unknown;
    readonly failedAt: number;
    readonly durationMs: number;
    readonly outcome: "retry" | "dead" | "discard";
    /** The payload as written after the failure (with `retry_count`, `error_message`, ...). */
    readonly failedJob: JobPayload;
  };
  /** A failed job was put in the retry set, due at `retryAt` (epoch ms). */
  "job:retried": JobEventBase & {
    readonly failedJob: JobPayload;
    readonly retryAt: number;
    readonly error: unknown;
  };
  /** A failed job was moved to the dead set (its retries ran out). */
  "job:dead": JobEventBase & { readonly failedJob: JobPayload; readonly error: unknown };
  /**
   * A job's run ended but its outcome was **not** written. `outcome` is what the run would have
   * written (`"ack"` after a handler that resolved). `reason`: `"not-in-progress"`: the job was no
   * longer in this node's in-progress list (another node recovered it; it runs again there);
   * `"gave-up"`: the write kept failing until the queue stopped; the job stays in the in-progress
   * list and is put back by recovery, so it runs again.
   */
  "job:unacked": JobEventBase & {
    readonly endedAt: number;
    readonly durationMs: number;
    readonly outcome: "ack" | "retry" | "dead" | "discard";
    readonly reason: "not-in-progress" | "gave-up";
  };
  /**
   * A unique job was not written because an equal job holds its lock (`enqueue`/`schedule` resolved
   * `null`, bulk calls a `null` entry). Emitted by the instance that tried to enqueue it.
   */
  "job:duplicate": {
    /** The payload that was dropped. */
    readonly job: JobPayload;
    readonly queue: string;
    /** The jid of the job holding the lock, when the store knows it. */
    readonly heldBy: string | undefined;
    /** The producer call. */
    readonly kind: EnqueueKind;
  };
  /**
   * A fetched job's `expires_at` had passed before it started: it was removed without running
   * (no `job:started`, not a failure, not a retry) and counted in the queue's `expired` counter.
   */
  "job:expired": {
    readonly job: JobPayload;
    readonly queue: string;
    readonly nodeId: string;
    /** When it expired, epoch ms. */
    readonly expiresAt: number;
    /** When it was skipped, epoch ms. */
    readonly skippedAt: number;
  };
  /**
   * A fetched job was over its per-key limit (worker `limit` with `key`) and was put back without
   * running (no `job:started`, not a failure, not a retry): into the `schedule` set due at
   * `retryAt`; for a concurrency limit it goes back to the front of its queue as soon as a job of
   * its key ends, `retryAt` being the latest re-check.
   */
  "job:limited": {
    readonly job: JobPayload;
    readonly queue: string;
    readonly nodeId: string;
    /** The job's limit key. */
    readonly key: string;
    readonly reason: "rate" | "concurrency";
    /** Epoch ms. */
    readonly retryAt: number;
  };
  /** A payload that is not a valid job was moved to the dead set with its raw bytes. */
  "job:malformed": {
    readonly queue: string;
    readonly nodeId: string;
    /** The payload's exact bytes (the dead-set entry keeps them too). */
    readonly raw: Buffer;
    readonly error: unknown;
  };
  /** A queue started (or resumed) fetching. */
  "queue:running": { readonly queue: string; readonly nodeId: string };
  /** A queue was paused; its running jobs are finishing. */
  "queue:pausing": { readonly queue: string; readonly nodeId: string };
  /** A paused queue has no job running any more. */
  "queue:paused": { readonly queue: string; readonly nodeId: string };
  /** This node started. */
  "node:up": { readonly nodeId: string; readonly queues: readonly string[] };
  /** This node stopped (`nodeId` = this node) or a dead peer was detected (`nodeId` = that peer). */
  "node:down": { readonly nodeId: string; readonly reason: "stopped" | "expired" };
  /** In-progress jobs of a node were moved back to their queues. */
  "jobs:recovered": { readonly nodeId: string; readonly fromNodeId: string; readonly count: number };
  /**
   * Something went wrong outside any job's own outcome: a fetch or store write failed, Redis went
   * away, a listener threw (`context: "listener:<event>"`), a worker's backoff threw (`"backoff"`).
   */
  error: { readonly error: unknown; readonly context: string; readonly queue?: string };
}

/** A Verk event name. */
export type VerkEventName = keyof VerkEventMap;

/** A listener for event `E`. It may be async; a throw or rejection is contained and reported. */
export type VerkListener<E extends VerkEventName> = (payload: VerkEventMap[E]) => void | Promise<void>;

/**
 * A small typed event hub with isolated listeners: a listener that throws or rejects is
 * logged and reported as an `error` event; it never affects the job, the queue or other listeners.
 */
export class EventHub {
  readonly #listeners = new Map<VerkEventName, Set<VerkListener<never>>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Subscribe; returns the unsubscribe function. */
  on<E extends VerkEventName>(event: E, listener: VerkListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as VerkListener<never>);
    return () => {
      set.delete(listener as VerkListener<never>);
    };
  }

  /** True when `event` has at least one listener (lets hot paths skip building payloads). */
  has(event: VerkEventName): boolean {
    const set = this.#listeners.get(event);
    return set !== undefined && set.size > 0;
  }

  /** Deliver `payload` to every listener of `event`, synchronously, each isolated. */
  emit<E extends VerkEventName>(event: E, payload: VerkEventMap[E]): void {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return;
    for (const listener of set) {
      try {
        const result = (listener as VerkListener<E>)(payload);
        if (result && typeof (result as Promise<void>).then === "function") {
          (result as Promise<void>).then(undefined, (error: unknown) => this.#listenerFailed(event, error));
        }
      } catch (error) {
        this.#listenerFailed(event, error);
      }
    }
  }

  #listenerFailed(event: VerkEventName, error: unknown): void {
    this.#logger.error({ err: error }, `a listener of "${event}" failed`);
    if (event !== "error") this.emit("error", { error, context: `listener:${event}` });
  }
}

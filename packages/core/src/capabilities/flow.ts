/**
 * Optional store capability: flow control (issue #14): unique-job locks taken atomically with the
 * push, cluster-wide concurrency and rate limits, and the skipping of expired jobs, with their
 * counters. Core decides (which lock, which limit, when a job expired); the store holds the state
 * so every node sees the same. Class-wide limits are also enforced inside the store's fetch, given
 * to `VerkStore.openQueue` as {@link QueueChannelOptions}.
 */
import type { EncodedJob, ScheduledEntry } from "../store.js";

/** The unique lock a job takes when it is pushed or scheduled. */
export interface UniqueLock {
  /** The job's `unique_digest` (see `uniqueDigest`). */
  readonly digest: string;
  /** Milliseconds the lock lives at most (`unique_for`, plus the delay of a scheduled job). */
  readonly ttlMs: number;
}

/** A job to push onto its queue, with the lock it takes (none: pushed as `VerkStore.push` does). */
export interface FlowJob extends EncodedJob {
  /** The job's id: the value of its lock (a release only removes the lock its own job holds). */
  readonly jid: string;
  /** The lock to take; the job is dropped when an equal job holds it. */
  readonly lock?: UniqueLock | undefined;
}

/** A job for the `schedule` set with the lock it takes. */
export interface FlowScheduledJob extends ScheduledEntry {
  readonly jid: string;
  readonly lock?: UniqueLock | undefined;
}

/** What became of one job of {@link FlowCapability.pushUnique}. */
export interface UniqueOutcome {
  /** True when the job was written; false when it was dropped as a duplicate. */
  readonly pushed: boolean;
  /** For a duplicate: the jid of the job holding the lock, when known. */
  readonly heldBy?: string | undefined;
}

/** An exactly-once marker claimed in the same atomic step as a unique push (cron ticks). */
export interface OnceClaim {
  /** Marker name (as `OnceCapability.claimAndPush` takes it). */
  readonly key: string;
  /** Milliseconds the marker lives. */
  readonly ttlMs: number;
}

/** A limit of one job class, as the store enforces it. */
export interface LimitSpec {
  /** The class (a payload's `class`, else its ActiveJob `wrapped`). */
  readonly className: string;
  /** At most this many running at once (none: no concurrency limit). */
  readonly concurrency?: number | undefined;
  /** At most this many starts per `perMs` (none: no rate limit). */
  readonly rate?: number | undefined;
  /** The rate's window, ms. */
  readonly perMs?: number | undefined;
}

/** Options of `VerkStore.openQueue` for flow control. */
export interface QueueChannelOptions {
  /**
   * Class-wide limits (without `key`) to enforce in this queue's fetch: a job of one of these
   * classes is only moved into the in-progress list when its limit allows (taking a concurrency
   * slot with member {@link slotMember}); otherwise the fetch waits. (Default: none)
   */
  readonly limits?: readonly LimitSpec[];
  /** Milliseconds a concurrency slot lives unless renewed (the node's liveness TTL). */
  readonly slotTtlMs?: number;
}

/** A concurrency slot held by a running job. */
export interface HeldSlot {
  /** The queue the job was fetched from. */
  readonly queue: string;
  /** Its class's limit. */
  readonly limit: LimitSpec;
  /** The job's limit key, or `undefined` for a class-wide limit. */
  readonly key: string | undefined;
  /** The slot's member: {@link slotMember} of the node and the job. */
  readonly member: string;
}

/** A per-key limit check of a fetched job, for {@link FlowCapability.admit}. */
export interface AdmitRequest {
  readonly queue: string;
  readonly nodeId: string;
  /** The job's exact fetched bytes (its identity in the in-progress list). */
  readonly raw: Buffer;
  readonly limit: LimitSpec;
  /** The job's limit key. */
  readonly key: string;
  /** The slot member to take (concurrency limits). */
  readonly member: string;
  /** Milliseconds the slot lives unless renewed. */
  readonly slotTtlMs: number;
}

/** What {@link FlowCapability.admit} did. */
export type Admission =
  /** Within the limit: the start is recorded (and the slot taken); run the job. */
  | { readonly kind: "admitted" }
  /**
   * Over the limit: the job left the in-progress list for the `schedule` set, due at `retryAtMs`
   * (epoch ms; for concurrency, the latest re-check: it goes back to the front of its queue as soon
   * as a slot of its key frees). Not a failure, not a retry.
   */
  | { readonly kind: "parked"; readonly reason: "rate" | "concurrency"; readonly retryAtMs: number }
  /** The job was no longer in the in-progress list (recovered elsewhere): do not run it. */
  | { readonly kind: "gone" };

/** The persisted flow-control counters of one queue (lifetime). */
export interface FlowCounters {
  /** Jobs skipped because they expired before they started. */
  readonly expired: number;
  /** Times a limit held a job back: fetches that waited for a class limit, jobs put back by a per-key limit. */
  readonly limited: number;
  /** Jobs dropped as duplicates of a unique job. */
  readonly duplicates: number;
}

/** Flow control; see the module note. */
export interface FlowCapability {
  /**
   * Push jobs onto their queues, each taking its lock (when it has one) in the same atomic step
   * as its push; a job whose lock is held is dropped. Batched and idempotent like `push`. With
   * `once`, the marker is claimed in that step too: resolves `undefined` (nothing written) when it
   * already existed. Resolves one outcome per job, in order.
   */
  pushUnique(jobs: readonly FlowJob[], once?: OnceClaim): Promise<UniqueOutcome[] | undefined>;
  /** Add jobs to the `schedule` set, each taking its lock first (dropped when held). */
  scheduleUnique(entries: readonly FlowScheduledJob[]): Promise<UniqueOutcome[]>;
  /** Release the lock `digest` of `queue` if job `jid` holds it. Resolves true when it was released. */
  releaseUnique(queue: string, digest: string, jid: string): Promise<boolean>;
  /** Check a fetched job against its per-key limit: take its start (and slot), or park it; see {@link Admission}. */
  admit(request: AdmitRequest): Promise<Admission>;
  /** Give a concurrency slot back (a parked job of its key, if any, goes back to the front of its queue). */
  releaseSlot(slot: HeldSlot): Promise<void>;
  /** Extend held slots to live `ttlMs` more. Resolves how many were still held. */
  renewSlots(slots: readonly HeldSlot[], ttlMs: number): Promise<number>;
  /**
   * Remove an expired job from the in-progress list without running it (no failure), count it,
   * and release its unique lock if it holds one. Resolves false when it was no longer there.
   */
  expire(
    queue: string,
    nodeId: string,
    raw: Buffer,
    lock?: { digest: string; jid: string },
  ): Promise<boolean>;
  /** The counters of `queues` (zeros when absent). */
  counters(queues: readonly string[]): Promise<Record<string, FlowCounters>>;
}

/** The member of the concurrency slot a job holds: `<nodeId>|<jid>` (the store's fetch builds the same). */
export function slotMember(nodeId: string, jid: string): string {
  return `${nodeId}|${jid}`;
}

import { type HeldSlot, type QueueChannelOptions, slotMember } from "../capabilities/flow.js";
import type { RunnerContext } from "../context.js";
import { VerkError } from "../errors.js";
import type { EventHub } from "../events.js";
import type { InFlightJob } from "../in-flight-job.js";
import { DEFAULT_NODE_TTL_MS } from "../liveness/options.js";
import type { Logger } from "../logger.js";
import { persist } from "../persist.js";
import type { VerkStore } from "../store.js";
import type { WorkerRegistry } from "../worker.js";
import { expiresAtMs } from "./fields.js";
import { collectLimits, limitFor, type NodeLimits, type ReportedLimit } from "./limits.js";
import { SlotBook } from "./slot-book.js";

/** What {@link FlowGate.admit} decided for a fetched job. */
export type Verdict =
  /** Run it. */
  | { readonly run: true }
  /** Do not run it: it expired, was put back by its limit, or is no longer this node's. Nothing more to write. */
  | { readonly run: false }
  /** Its limit key could not be computed (`limit.key` threw): fail it with `error` like a handler error. */
  | { readonly run: false; readonly error: unknown };

const RUN: Verdict = Object.freeze({ run: true });
const SKIP: Verdict = Object.freeze({ run: false });

/**
 * Flow control on the consuming side of one node: after a job is fetched and parsed, and before it
 * starts, {@link FlowGate.admit} skips it when it expired, checks its per-key limit (putting it back
 * when over), records the concurrency slot it holds, and releases a `until: "start"` unique lock.
 * When the handler ends the slot is released; when the job succeeds (after its ack) or dies, its
 * unique lock. Jobs without flow fields and classes without limits cost a few property reads. @internal
 */
export class FlowGate {
  readonly #store: VerkStore;
  readonly #registry: WorkerRegistry;
  readonly #nodeId: string;
  readonly #hub: EventHub;
  readonly #logger: Logger;
  readonly #slots: SlotBook;
  #limits: NodeLimits = { classWide: new Map(), keyed: new Map() };
  /** True when this node runs classes with limits (then every fetched job goes through {@link admit}). */
  limited = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(store: VerkStore, registry: WorkerRegistry, nodeId: string, hub: EventHub, logger: Logger) {
    this.#store = store;
    this.#registry = registry;
    this.#nodeId = nodeId;
    this.#hub = hub;
    this.#logger = logger;
    this.#slots = new SlotBook(() => store.capabilities?.flow, DEFAULT_NODE_TTL_MS, logger, hub);
  }

  /**
   * Read the limits of the registered workers (and those reported by isolated queues' threads),
   * at start. Slots live `slotTtlMs` unless renewed (the node's liveness TTL).
   * @throws VerkError `INVALID_OPTION` when a worker has a limit and the store lacks the `flow`
   * capability; `WORKER_MODULE` (see `collectLimits`).
   */
  configure(reported: ReadonlyMap<string, ReportedLimit>, slotTtlMs: number): void {
    this.#limits = collectLimits(this.#registry, reported);
    this.limited = this.#limits.classWide.size + this.#limits.keyed.size > 0;
    this.#slots.ttlMs = slotTtlMs;
    if (this.limited && this.#store.capabilities?.flow === undefined) {
      const names = [...this.#limits.classWide.keys(), ...this.#limits.keyed.keys()];
      throw new VerkError(
        "INVALID_OPTION",
        `worker option "limit" (${names.join(", ")}) needs a store with the "flow" capability; the "${this.#store.kind}" store does not provide it (use @verk/redis-store)`,
        { field: "limit" },
      );
    }
  }

  /** Milliseconds a concurrency slot lives unless renewed. */
  get slotTtlMs(): number {
    return this.#slots.ttlMs;
  }

  /** The fetch options of `queue`: the class-wide limits its fetch enforces (none: `undefined`, the plain fetch). */
  channelOptions(_queue: string): QueueChannelOptions | undefined {
    if (this.#limits.classWide.size === 0) return undefined;
    return { limits: [...this.#limits.classWide.values()], slotTtlMs: this.#slots.ttlMs };
  }

  /** Renew the held slots: called on every heartbeat of the node. */
  renew(): void {
    void this.#slots.renew();
  }

  /** Renew on a timer of our own (a node without liveness heartbeats). */
  renewEvery(intervalMs: number): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.renew(), intervalMs);
    this.#timer.unref?.();
  }

  /** Stop renewing and give every held slot back (the queues have drained). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#slots.releaseAll();
  }

  /** Decide whether a fetched, parsed job runs; see the class note. Never rejects. */
  async admit(ctx: RunnerContext, flight: InFlightJob, giveUp: () => boolean): Promise<Verdict> {
    const job = flight.job;
    const jid = typeof job.jid === "string" ? job.jid : "";
    const classWide = limitFor(this.#limits.classWide, job);
    // The fetch took this job's class-wide slot: hold it until the handler ends.
    if (classWide?.concurrency !== undefined) {
      flight.slot = {
        queue: flight.queue,
        limit: classWide,
        key: undefined,
        member: slotMember(this.#nodeId, jid),
      };
      this.#slots.add(flight.slot);
    }
    const expiresAt = expiresAtMs(job);
    if (expiresAt !== undefined && (this.#store.now?.() ?? Date.now()) > expiresAt) {
      await this.#expire(ctx, flight, expiresAt, jid, giveUp);
      return SKIP;
    }
    const keyed = limitFor(this.#limits.keyed, job);
    if (keyed !== undefined) {
      let key: string;
      try {
        key = String(keyed.key(...job.args));
      } catch (error) {
        return { run: false, error };
      }
      const flow = this.#store.capabilities!.flow!;
      const member = slotMember(this.#nodeId, jid);
      const admission = await persist(
        ctx,
        "limit",
        flight.queue,
        () =>
          flow.admit({
            queue: flight.queue,
            nodeId: this.#nodeId,
            raw: flight.raw,
            limit: keyed.spec,
            key,
            member,
            slotTtlMs: this.#slots.ttlMs,
          }),
        giveUp,
      );
      if (admission === undefined || admission.kind === "gone") return SKIP;
      if (admission.kind === "parked") {
        ctx.dueSoon?.(admission.retryAtMs);
        if (this.#hub.has("job:limited"))
          this.#hub.emit("job:limited", {
            job,
            queue: flight.queue,
            nodeId: this.#nodeId,
            key,
            reason: admission.reason,
            retryAt: admission.retryAtMs,
          });
        return SKIP;
      }
      if (keyed.spec.concurrency !== undefined) {
        flight.slot = { queue: flight.queue, limit: keyed.spec, key, member };
        this.#slots.add(flight.slot);
      }
    }
    if (job.unique_until === "start") this.#releaseUnique(flight);
    return RUN;
  }

  /** The handler of `flight` ended: give its concurrency slot back. */
  settled(flight: InFlightJob): void {
    const slot: HeldSlot | undefined = flight.slot;
    if (slot === undefined) return;
    flight.slot = undefined;
    this.#slots.release(slot);
  }

  /** `flight`'s job succeeded and its ack landed: release its unique lock (unless it went at start). */
  succeeded(flight: InFlightJob): void {
    if (flight.job.unique_until !== "start") this.#releaseUnique(flight);
  }

  /** `flight`'s job failed for good (dead set or discarded) and that was written: release its unique lock. */
  died(flight: InFlightJob): void {
    this.#releaseUnique(flight);
  }

  async #expire(
    ctx: RunnerContext,
    flight: InFlightJob,
    expiresAt: number,
    jid: string,
    giveUp: () => boolean,
  ): Promise<void> {
    this.settled(flight);
    const { queue, raw, job } = flight;
    const flow = this.#store.capabilities?.flow;
    // The lock lives next to the queue the job was enqueued on (its payload's `queue`).
    const sameQueue = job.queue === queue;
    const digest = typeof job.unique_digest === "string" && sameQueue ? job.unique_digest : undefined;
    const removed = await persist(
      ctx,
      "expire",
      queue,
      () =>
        flow
          ? flow.expire(queue, this.#nodeId, raw, digest === undefined ? undefined : { digest, jid })
          : this.#store.ack(queue, this.#nodeId, raw),
      giveUp,
    );
    if (removed !== true) return;
    if (!sameQueue) this.#releaseUnique(flight);
    if (this.#hub.has("job:expired"))
      this.#hub.emit("job:expired", { job, queue, nodeId: this.#nodeId, expiresAt, skippedAt: Date.now() });
  }

  /** Release the unique lock of `flight`'s job, kept next to the queue it was enqueued on (its payload's `queue`). */
  #releaseUnique(flight: InFlightJob): void {
    const { job } = flight;
    const queue = typeof job.queue === "string" ? job.queue : flight.queue;
    const digest = job.unique_digest;
    const flow = this.#store.capabilities?.flow;
    if (typeof digest !== "string" || flow === undefined) return;
    flow.releaseUnique(queue, digest, typeof job.jid === "string" ? job.jid : "").catch((error: unknown) => {
      this.#logger.warn(
        { queue, jid: job.jid, class: job.class, err: error },
        "could not release a unique lock; it frees when its unique_for runs out",
      );
      this.#hub.emit("error", { error, context: "unique-release", queue });
    });
  }
}

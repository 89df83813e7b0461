import { randomBytes } from "node:crypto";
import type { NodeBeat, NodesCapability } from "../capabilities/nodes.js";
import { DEFAULT_DEAD_LIMITS } from "../retry.js";
import type { LivenessNode } from "./node.js";
import type { ResolvedLiveness } from "./options.js";
import { OrphanReconciler } from "./orphans.js";

/** Jobs moved per recovery step. */
const RECOVER_BATCH = 1_000;

/** Why writes of a job may have found it gone; see {@link NodeLiveness.lateWriteCause}. */
export type LateWriteCause = "data-lost" | "heartbeat-expired" | "unknown";

/**
 * A started node's liveness loop, in core so every store gets it. Every `heartbeatMs`:
 * 1. beat (heartbeat value `<token>:<n>`, TTL `nodeTtlMs`, queues registered). The beat reply
 *    tells if the heartbeat had expired (this node was late: peers may have recovered its jobs),
 *    if another process wrote this node's heartbeat (a twin with the same `nodeId`), and if the
 *    registry entry vanished (the store lost its data: a Redis restarted empty or flushed);
 * 2. put back jobs of this node's own in-progress lists that no local runner holds (lost fetch replies);
 * 3. scan the registry: a peer seen without a heartbeat on two scans at least 2 × `heartbeatMs`
 *    apart is dead: its jobs go back to the front of their queues (poison pills to the dead set)
 *    and it leaves the registry (`jobs:recovered`, `node:down` with reason `"expired"`).
 * After this node lost the store (a failed or late beat) it waits `nodeTtlMs` before declaring
 * anyone dead, since its peers could not beat either. Errors are logged, never thrown. @internal
 */
export class NodeLiveness {
  /** This process's secret part of the heartbeat value. */
  readonly token = randomBytes(8).toString("hex");
  readonly #nodes: NodesCapability;
  readonly #node: LivenessNode;
  readonly #settings: ResolvedLiveness;
  readonly #suspects = new Map<string, number>();
  readonly #orphans: OrphanReconciler;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #stopped = false;
  #suspended = false;
  #lastBeatAt = 0;
  #holdUntil = 0;
  #dataLostAt = 0;
  #expiredAt = 0;
  /** The store's data epoch seen at the last beat (when the store reports one). */
  #epoch: string | undefined;
  /** Called after every successful beat (the keep-alive thread watches for missing ones). */
  onBeat: (() => void) | undefined;

  constructor(nodes: NodesCapability, node: LivenessNode, settings: ResolvedLiveness) {
    this.#nodes = nodes;
    this.#node = node;
    this.#settings = settings;
    this.#orphans = new OrphanReconciler(nodes, node);
  }

  /** The heartbeat value of the next beat. */
  get value(): string {
    return `${this.token}:${this.#seq}`;
  }

  /** Beat once now (rejects when that first beat fails), then tick every `heartbeatMs`. */
  async start(): Promise<void> {
    await this.#beat();
    livenessLoops.set(this.#node.nodeId, this);
    this.#schedule();
  }

  /**
   * Why an ack or failure write found its job gone from the in-progress list, for a job fetched
   * at `since` (epoch ms): the store lost its data, or this node's heartbeat expired meanwhile
   * (peers then recovered its jobs), or neither was seen. When nothing explains it yet, beat once
   * first: a node that was blocked or cut off writes its late acks before its next beat is due.
   */
  async lateWriteCause(since: number): Promise<LateWriteCause> {
    const known = this.#causeSince(since);
    if (known !== "unknown" || this.#stopped) return known;
    await this.tick();
    return this.#causeSince(since);
  }

  #causeSince(since: number): LateWriteCause {
    if (this.#dataLostAt >= since) return "data-lost";
    if (this.#expiredAt >= since) return "heartbeat-expired";
    return "unknown";
  }

  /** One heartbeat and registry scan. Never rejects. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick()
      .catch((error: unknown) => {
        this.#holdUntil = Date.now() + this.#settings.nodeTtlMs;
        this.#suspects.clear();
        this.#node.logger.warn(
          { nodeId: this.#node.nodeId, err: error },
          "node heartbeat or dead-peer scan failed; will retry",
        );
      })
      .finally(() => {
        this.#ticking = undefined;
      });
    return this.#ticking;
  }

  /** Test hook: stop beating and scanning (as if the process were paused) until {@link resume}. @internal */
  suspend(): void {
    this.#suspended = true;
  }

  /** Test hook: beat and scan again after {@link suspend}. @internal */
  resume(): void {
    this.#suspended = false;
  }

  /** Stop the loop and delete this node's heartbeat (so leftovers, if any, are recovered). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (livenessLoops.get(this.#node.nodeId) === this) livenessLoops.delete(this.#node.nodeId);
    await this.#ticking;
    await this.#nodes.endBeat(this.#node.nodeId, this.#node.queueNames()).catch((error: unknown) => {
      this.#node.logger.warn(
        { nodeId: this.#node.nodeId, err: error },
        "could not delete this node's heartbeat",
      );
    });
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.tick().then(() => this.#schedule());
    }, this.#settings.heartbeatMs);
    this.#timer.unref?.();
  }

  async #tick(): Promise<void> {
    if (this.#stopped || this.#suspended) return;
    await this.#beat();
    await this.#orphans.check();
    if (Date.now() < this.#holdUntil) return;
    await this.#scan();
  }

  async #beat(): Promise<void> {
    const node = this.#node;
    const first = this.#seq === 0;
    const value = this.value;
    this.#seq++;
    const beat = await this.#nodes.beat(node.nodeId, value, this.#settings.nodeTtlMs, node.queueNames());
    this.onBeat?.();
    const now = Date.now();
    if (!first) this.#judgeBeat(beat, now);
    if (beat.epoch !== undefined) this.#epoch = beat.epoch;
    // A beat that comes much later than planned means the store (or this process) was away:
    // peers may have been unable to beat too, so give them a TTL to come back before judging them.
    if (this.#lastBeatAt > 0 && now - this.#lastBeatAt > 2 * this.#settings.heartbeatMs) {
      this.#holdUntil = now + this.#settings.nodeTtlMs;
      this.#suspects.clear();
    }
    this.#lastBeatAt = now;
  }

  #judgeBeat({ previous, registered, epoch }: NodeBeat, now: number): void {
    const { nodeId, logger } = this.#node;
    // With an epoch, lost data shows as a new epoch; a lost registration with the same epoch is a
    // node its peers declared dead (heartbeat expired) and removed from the registry.
    const dataLost = epoch !== undefined && this.#epoch !== undefined ? epoch !== this.#epoch : !registered;
    if (dataLost) {
      this.#dataLostAt = now;
      const message =
        "the store lost this node's registration: Redis restarted empty (no persistence) or was flushed; jobs waiting or in progress may have been lost";
      logger.error({ nodeId }, message);
      this.#node.emit("error", { error: new Error(message), context: "data-lost" });
    } else if (previous === undefined || !registered) {
      this.#expiredAt = now;
      logger.warn(
        { nodeId, lateMs: now - this.#lastBeatAt, nodeTtlMs: this.#settings.nodeTtlMs },
        "this node's heartbeat expired before it could beat again (event loop blocked or store unreachable longer than nodeTtlMs): live peers may have recovered its in-progress jobs, which then run twice",
      );
    } else if (!previous.startsWith(`${this.token}:`)) {
      const message = `another live process uses nodeId "${nodeId}" (it wrote this node's heartbeat): every node needs its own nodeId, or jobs run twice`;
      logger.error({ nodeId }, message);
      this.#node.emit("error", { error: new Error(message), context: "twin-node" });
    }
  }

  async #scan(): Promise<void> {
    const self = this.#node.nodeId;
    const peers = (await this.#nodes.members()).filter((member) => member !== self);
    const alive = await this.#nodes.alive(peers);
    const now = Date.now();
    const grace = 2 * this.#settings.heartbeatMs;
    const members = new Set(peers);
    for (const [peer] of this.#suspects) if (!members.has(peer)) this.#suspects.delete(peer);
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[i]!;
      if (alive[i]) {
        this.#suspects.delete(peer);
        continue;
      }
      const since = this.#suspects.get(peer);
      if (since === undefined) {
        this.#suspects.set(peer, now);
        continue;
      }
      if (now - since < grace || this.#stopped || this.#suspended) continue;
      this.#suspects.delete(peer);
      await this.#recover(peer);
    }
  }

  async #recover(peer: string): Promise<void> {
    const node = this.#node;
    const result = await this.#nodes.recoverPeer(peer, {
      batchSize: RECOVER_BATCH,
      maxRecoveries: this.#settings.maxRecoveries,
      deadLimits: DEFAULT_DEAD_LIMITS,
    });
    if (!result.dead) return;
    if (result.recovered + result.poisoned > 0) {
      node.logger.warn(
        { nodeId: node.nodeId, peer, recovered: result.recovered, poisoned: result.poisoned },
        `node ${peer} stopped beating: put ${result.recovered} of its in-progress job(s) back` +
          (result.poisoned > 0 ? `, ${result.poisoned} poison pill(s) moved to the dead set` : ""),
      );
      if (result.recovered > 0)
        node.emit("jobs:recovered", { nodeId: node.nodeId, fromNodeId: peer, count: result.recovered });
    }
    if (await this.#nodes.forgetPeer(peer)) node.emit("node:down", { nodeId: peer, reason: "expired" });
  }
}

/**
 * Every running liveness loop by node id: a test hook to simulate a paused process
 * (`suspend()`/`resume()`). @internal
 */
export const livenessLoops = new Map<string, NodeLiveness>();

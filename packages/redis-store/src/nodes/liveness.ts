import type { NodeHandle } from "@verk/core";
import type { Redis } from "ioredis";
import type { Keys } from "../keys.js";
import type { ResolvedLiveness } from "./options.js";
import { OrphanReconciler } from "./reconcile.js";
import { heartbeatKey, POISON_DEAD_LIMITS, recoverDeadPeer } from "./recover-peer.js";

/** Members asked per SSCAN call of the node registry. */
const SCAN_COUNT = 100;

/** Settings of {@link NodeLiveness}. */
export interface LivenessSettings extends ResolvedLiveness {
  /** Jobs moved per `recover-dead` call. */
  readonly batchSize: number;
}

/** Every running liveness loop by node id: a test hook to simulate a paused process. @internal */
export const livenessByNode = new Map<string, NodeLiveness>();

/**
 * A started node's liveness loop. Every `heartbeatMs`:
 * 1. MULTI: SET `verk:node:<id>` PX `nodeTtlMs`, SADD `verk_nodes` id, SADD `verk:node:<id>:queues`
 *    its queues. EXEC. (This also re-registers a node that peers declared dead while it was paused.)
 * 2. SSCAN `verk_nodes` (every page), EXISTS each peer's heartbeat key; a peer seen without one on
 *    two scans at least `2 × heartbeatMs` apart is dead: its in-progress jobs go back to the front
 *    of their queues (`recover-dead`, poison pills to the dead set) and it leaves the registry
 *    (`forget-node`). Emits `jobs:recovered` and `node:down` (reason `"expired"`).
 * 3. Put back jobs of this node's own in-progress lists that no local runner holds on two checks
 *    in a row (a fetch whose reply was lost), see {@link OrphanReconciler}.
 * After this node lost Redis (a failed or late heartbeat) it waits `nodeTtlMs` before declaring
 * anyone dead, since its peers could not beat either. Errors are logged, never thrown.
 */
export class NodeLiveness {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #node: NodeHandle;
  readonly #settings: LivenessSettings;
  readonly #suspects = new Map<string, number>();
  readonly #orphans: OrphanReconciler;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #stopped = false;
  #suspended = false;
  #lastBeatAt = 0;
  #holdUntil = 0;

  constructor(redis: Redis, keys: Keys, node: NodeHandle, settings: LivenessSettings) {
    this.#redis = redis;
    this.#keys = keys;
    this.#node = node;
    this.#settings = settings;
    this.#orphans = new OrphanReconciler(redis, keys, node);
  }

  /** Beat once now (resolves when written or failed), then tick every `heartbeatMs`. */
  async start(): Promise<void> {
    livenessByNode.set(this.#node.nodeId, this);
    await this.tick();
    this.#schedule();
  }

  /** One heartbeat and registry scan. Never rejects. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick()
      .catch((error: unknown) => {
        this.#holdUntil = Date.now() + this.#settings.nodeTtlMs;
        this.#suspects.clear();
        this.#node.logger.warn(
          { err: error },
          "[redis-store] node heartbeat or dead-peer scan failed; will retry",
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

  /** Stop the loop and delete this node's heartbeat key (so leftovers, if any, are recovered). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (livenessByNode.get(this.#node.nodeId) === this) livenessByNode.delete(this.#node.nodeId);
    await this.#ticking;
    await this.#redis.del(heartbeatKey(this.#keys, this.#node.nodeId)).catch((error: unknown) => {
      this.#node.logger.warn({ err: error }, "[redis-store] could not delete this node's heartbeat key");
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
    const id = this.#node.nodeId;
    const queues = this.#node.queues().map((queue) => queue.name);
    const multi = this.#redis
      .multi()
      .set(heartbeatKey(this.#keys, id), String(Date.now()), "PX", this.#settings.nodeTtlMs)
      .sadd(this.#keys.nodes, id);
    if (queues.length > 0) multi.sadd(this.#keys.nodeQueues(id), ...queues);
    const results = await multi.exec();
    for (const [error] of results ?? []) if (error) throw error;
    const now = Date.now();
    // A beat that comes much later than planned means Redis (or this process) was away: peers
    // may have been unable to beat too, so give them a TTL to come back before judging them.
    if (this.#lastBeatAt > 0 && now - this.#lastBeatAt > 2 * this.#settings.heartbeatMs) {
      this.#holdUntil = now + this.#settings.nodeTtlMs;
      this.#suspects.clear();
    }
    this.#lastBeatAt = now;
  }

  async #scan(): Promise<void> {
    const self = this.#node.nodeId;
    const members = new Set<string>();
    let cursor = "0";
    do {
      const [next, page] = await this.#redis.sscan(this.#keys.nodes, cursor, "COUNT", SCAN_COUNT);
      for (const member of page) if (member !== self) members.add(member);
      cursor = next;
    } while (cursor !== "0");
    const peers = [...members];
    const alive = await Promise.all(peers.map((peer) => this.#redis.exists(heartbeatKey(this.#keys, peer))));
    const now = Date.now();
    const grace = 2 * this.#settings.heartbeatMs;
    for (const [peer] of this.#suspects) if (!members.has(peer)) this.#suspects.delete(peer);
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[i]!;
      if (alive[i] === 1) {
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
    const result = await recoverDeadPeer(this.#redis, this.#keys, peer, {
      batchSize: this.#settings.batchSize,
      maxRecoveries: this.#settings.maxRecoveries,
      deadLimits: POISON_DEAD_LIMITS,
    });
    if (!result.dead) return;
    const count = result.recovered + result.poisoned;
    if (count > 0) {
      node.logger.warn(
        `[redis-store] node ${peer} stopped beating: put ${result.recovered} of its in-progress job(s) back` +
          (result.poisoned > 0 ? `, ${result.poisoned} poison pill(s) moved to the dead set` : ""),
      );
      if (result.recovered > 0)
        node.emit("jobs:recovered", { nodeId: node.nodeId, fromNodeId: peer, count: result.recovered });
    }
    if (result.forgotten) node.emit("node:down", { nodeId: peer, reason: "expired" });
  }
}

/**
 * Start the liveness loop of `node` (see {@link NodeLiveness}). Resolves the function that stops
 * it; resolves a no-op when `heartbeatMs` is 0.
 */
export async function attachLiveness(
  redis: Redis,
  keys: Keys,
  node: NodeHandle,
  settings: LivenessSettings,
): Promise<() => Promise<void>> {
  if (settings.heartbeatMs <= 0) return async () => {};
  const liveness = new NodeLiveness(redis, keys, node, settings);
  await liveness.start();
  return () => liveness.stop();
}

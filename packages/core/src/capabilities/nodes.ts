/**
 * Store capability: the node registry and heartbeats that core's liveness policy
 * (`liveness/node-liveness.ts`) runs on: dead-peer detection, crash recovery, poison pills,
 * twin detection and orphan reconciliation are decided in core; the store only stores.
 */
import type { LivenessOptions } from "../liveness/options.js";
import type { DeadSetLimits } from "../store.js";

/** What one {@link NodesCapability.beat} found. */
export interface NodeBeat {
  /** The heartbeat value before this beat, or `undefined` when there was none (expired or never set). */
  readonly previous: string | undefined;
  /**
   * True when the node was already in the registry (false: first beat, a node its peers declared
   * dead and removed, or a registry that was lost).
   */
  readonly registered: boolean;
  /**
   * Optional: the store's data epoch, a value that changes only when the store lost its data
   * (Redis restarted empty or flushed). With it, a lost registration is told apart from a node
   * its peers removed; without it, every lost registration counts as lost data.
   */
  readonly epoch?: string;
}

/** What recovering one dead peer did. */
export interface PeerRecovery {
  /** Jobs put back at the front of their queues. */
  readonly recovered: number;
  /** Jobs sent to the dead set as poison pills. */
  readonly poisoned: number;
  /** False when the peer turned out to be alive (its heartbeat came back): nothing more was touched. */
  readonly dead: boolean;
}

/** Settings of {@link NodesCapability.recoverPeer}. */
export interface RecoverPeerOptions {
  /** Jobs moved per atomic step. */
  readonly batchSize: number;
  /** A job recovered more than this many times goes to the dead set as a poison pill. */
  readonly maxRecoveries: number;
  /** Trimming of the dead set when poison pills are added. */
  readonly deadLimits: DeadSetLimits;
}

/** How to keep a node's heartbeat alive from a worker thread while its event loop is busy. */
export interface KeepAliveSpec {
  /** The thread module (a file path or `file:` URL); it receives `data` as `workerData.spec`. */
  readonly module: string | URL;
  /** Structured-clonable data the module needs (connection settings, keys, TTL). */
  readonly data: unknown;
}

/** The node registry; see the module note. */
export interface NodesCapability {
  /** Liveness settings given to the store (older configurations); `createVerk({ liveness })` overrides them. */
  readonly defaults?: LivenessOptions;
  /**
   * Record a beat of `nodeId`: it is alive for `ttlMs` with heartbeat value `value`, and may own
   * in-progress jobs of `queues`. Atomic per node; works while the store is full.
   */
  beat(nodeId: string, value: string, ttlMs: number, queues: readonly string[]): Promise<NodeBeat>;
  /** The heartbeat value of `nodeId`, or `undefined` when it has none (dead or never started). */
  readBeat(nodeId: string): Promise<string | undefined>;
  /** Every registered node id. */
  members(): Promise<string[]>;
  /** For each of `nodeIds`, whether it has a live heartbeat. */
  alive(nodeIds: readonly string[]): Promise<boolean[]>;
  /**
   * Put every in-progress job of a peer without a heartbeat back at the front of its queue,
   * counting recoveries per job (poison pills to the dead set). Each step re-checks, atomically,
   * that the peer is still dead, so a peer that comes back is never robbed, and every job moves
   * exactly once even when several nodes recover the same peer.
   */
  recoverPeer(peerId: string, options: RecoverPeerOptions): Promise<PeerRecovery>;
  /** Remove a dead peer that owns nothing any more from the registry. Resolves true when this call removed it. */
  forgetPeer(peerId: string): Promise<boolean>;
  /** The exact payloads of `nodeId`'s in-progress list of `queue` (newest first). */
  inProgress(queue: string, nodeId: string): Promise<Buffer[]>;
  /** Delete the heartbeat of `nodeId` (a clean stop), so leftovers, if any, are recovered at once. */
  endBeat(nodeId: string, queues: readonly string[]): Promise<void>;
  /**
   * Optional: how to extend `nodeId`'s heartbeat TTL from a worker thread while the main event
   * loop is blocked by a long synchronous handler (absent: beats come from the main thread only).
   */
  keepAlive?(nodeId: string, queues: readonly string[], ttlMs: number): KeepAliveSpec;
}

import type { DeadSetLimits } from "@verk/core";
import type { Redis } from "ioredis";
import type { Keys } from "../keys.js";
import { formatSeconds, runScript } from "../scripts.js";

/** The key whose presence says node `nodeId` is alive: `<ns>verk:node:<nodeId>` (PX TTL). */
export function heartbeatKey(keys: Keys, nodeId: string): string {
  return `${keys.prefix}verk:node:${nodeId}`;
}

/** What recovering one dead peer did. */
export interface PeerRecovery {
  /** Jobs put back at the front of their queues. */
  readonly recovered: number;
  /** Jobs sent to the dead set as poison pills. */
  readonly poisoned: number;
  /** False when the peer turned out to be alive (its heartbeat came back): nothing more was touched. */
  readonly dead: boolean;
  /** True when its registry entries were removed. */
  readonly forgotten: boolean;
}

/** Settings of {@link recoverDeadPeer}. */
export interface RecoverPeerOptions {
  /** Jobs per script call. */
  readonly batchSize: number;
  /** See `maxRecoveries` of `redisStore()`. */
  readonly maxRecoveries: number;
  /** Trimming of the dead set when poison pills are added. */
  readonly deadLimits: DeadSetLimits;
}

/** Dead-set limits used for poison pills (Sidekiq's: 10,000 jobs, 180 days). */
export const POISON_DEAD_LIMITS: DeadSetLimits = { maxJobs: 10_000, maxAgeSeconds: 15_552_000 };

/**
 * Put every in-progress job of a peer whose heartbeat key expired back at the front of its
 * queue (script `recover-dead`, batch by batch, each batch atomic and re-checking the heartbeat),
 * then remove the peer from the registry (script `forget-node`). Safe to run on several nodes
 * at once: every job moves exactly once.
 */
export async function recoverDeadPeer(
  client: Redis,
  keys: Keys,
  peerId: string,
  options: RecoverPeerOptions,
): Promise<PeerRecovery> {
  const hb = heartbeatKey(keys, peerId);
  const queues = await client.smembers(keys.nodeQueues(peerId));
  let recovered = 0;
  let poisoned = 0;
  for (const queue of queues) {
    const scriptKeys = [hb, keys.inprogress(queue, peerId), keys.queue(queue), keys.dead];
    for (;;) {
      const now = Date.now() / 1000;
      const args = [
        options.batchSize,
        options.maxRecoveries,
        formatSeconds(now),
        Math.max(0, Math.floor(options.deadLimits.maxJobs)),
        formatSeconds(now - options.deadLimits.maxAgeSeconds),
        peerId,
      ];
      const [moved, dead, remaining] = (await runScript(client, "recover-dead", scriptKeys, args)) as [
        number,
        number,
        number,
      ];
      if (moved < 0) return { recovered, poisoned, dead: false, forgotten: false };
      recovered += moved;
      poisoned += dead;
      if (remaining === 0 || moved + dead === 0) break;
    }
  }
  const forgotten =
    (await runScript(
      client,
      "forget-node",
      [hb, keys.nodes, keys.nodeQueues(peerId)],
      [peerId, `${keys.prefix}inprogress:`],
    )) === 1;
  return { recovered, poisoned, dead: true, forgotten };
}

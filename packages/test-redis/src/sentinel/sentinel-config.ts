/** What a test sentinel's config file says. */
export interface SentinelConfig {
  /** Name of the monitored master, e.g. `"mymaster"`. */
  readonly masterName: string;
  readonly masterPort: number;
  readonly replicaPorts: readonly number[];
  /** This sentinel's 40-hex-digit id. */
  readonly myId: string;
  /** The other sentinels (port and id), written as `known-sentinel` so no discovery is needed. */
  readonly peers: readonly { readonly port: number; readonly id: string }[];
  readonly quorum: number;
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
}

/**
 * The text of a sentinel config file: `sentinel monitor` on 127.0.0.1 with `quorum`,
 * `down-after-milliseconds`, `failover-timeout`, `parallel-syncs 1`, `resolve-hostnames no`,
 * `announce-ip 127.0.0.1`, and the replicas and peer sentinels declared up front so the
 * sentinels agree at once instead of discovering each other over several seconds.
 */
export function sentinelConfigText(config: SentinelConfig): string {
  const name = config.masterName;
  return [
    `sentinel myid ${config.myId}`,
    "sentinel resolve-hostnames no",
    "sentinel announce-hostnames no",
    "sentinel announce-ip 127.0.0.1",
    `sentinel monitor ${name} 127.0.0.1 ${config.masterPort} ${config.quorum}`,
    `sentinel down-after-milliseconds ${name} ${config.downAfterMs}`,
    `sentinel failover-timeout ${name} ${config.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${name} 1`,
    ...config.replicaPorts.map((port) => `sentinel known-replica ${name} 127.0.0.1 ${port}`),
    ...config.peers.map((peer) => `sentinel known-sentinel ${name} 127.0.0.1 ${peer.port} ${peer.id}`),
    "",
  ].join("\n");
}

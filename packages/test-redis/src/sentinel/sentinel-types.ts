import type { TestRedis } from "../start-redis.js";

/** Options of {@link startSentinel}. */
export interface StartSentinelOptions {
  /** Replicas of the master. Integer >= 1. (Default: 1) */
  replicas?: number;
  /** Sentinel processes; the quorum is a majority of them (2 of 3). Integer >= 1. (Default: 3) */
  sentinels?: number;
  /** Name the sentinels monitor the master under. (Default: `"mymaster"`) */
  masterName?: string;
  /** `down-after-milliseconds`: how long the master may not answer before it is considered down, ms. (Default: 1,000) */
  downAfterMs?: number;
  /**
   * `failover-timeout`, ms: bounds each step of a failover; a second automatic failover of the
   * same master can start only 2x this after the previous one. (Default: 3,000)
   */
  failoverTimeoutMs?: number;
  /** Extra `redis-server` arguments for the master and replicas. (Default: none) */
  args?: string[];
  /** Longest wait, in ms, for the setup to be ready and for each wait of its methods. (Default: 30,000) */
  timeoutMs?: number;
}

/** A `{ host, port }` address, as ioredis' `sentinels` option takes them. */
export interface SentinelAddress {
  readonly host: string;
  readonly port: number;
}

/** How {@link TestSentinel.failover} fails the master over. */
export type SentinelFailoverMode =
  /** `SENTINEL FAILOVER <name>`: the master is healthy and is demoted to a replica. */
  | "command"
  /** SIGKILL the master; the sentinels detect it (after `downAfterMs`), agree and promote a replica. It stays down. */
  | "kill";

/** What {@link TestSentinel.failover} did. */
export interface SentinelFailover {
  readonly mode: SentinelFailoverMode;
  /** The master before. */
  readonly from: SentinelAddress;
  /** The master after, as every sentinel reports it; it accepts writes. */
  readonly to: SentinelAddress;
  /** Milliseconds from the command (or kill) until `to` was reported and accepted writes. */
  readonly elapsedMs: number;
}

/** A private master, its replicas and sentinels on loopback ports, from {@link startSentinel}. */
export interface TestSentinel {
  /** The name the sentinels monitor the master under (ioredis' `name` option). */
  readonly masterName: string;
  /** Every sentinel (ioredis' `sentinels` option). */
  readonly sentinels: readonly SentinelAddress[];
  /** The master and replicas (data nodes), master first, as started. */
  readonly nodes: readonly SentinelAddress[];
  /** The process of the data node or sentinel on `port` (throws for a port not in this setup). */
  server(port: number): TestRedis;
  /** The master's address as the first reachable sentinel reports it. */
  masterAddress(): Promise<SentinelAddress>;
  /**
   * Fail the master over (`"command"`, the default, or `"kill"`) and wait until every live
   * sentinel reports the same new master and it accepts writes. With `"command"` the old master
   * is then made a replica of the new one at once (the sentinels would do so only ~10 s later)
   * and its clients are disconnected, as a sentinel's reconfiguration does; with `"kill"` it stays
   * down until {@link TestSentinel.restartNode}.
   */
  failover(mode?: SentinelFailoverMode): Promise<SentinelFailover>;
  /** SIGKILL the data node or sentinel on `port`; its port and directory are kept. */
  killNode(port: number): Promise<void>;
  /** Ports of the processes killed and not restarted since. */
  killedPorts(): number[];
  /**
   * Start the node on `port` again. A data node comes back as a replica of the current master
   * (told so at once instead of after the sentinels' 8 s grace), in sync and seen by every sentinel.
   */
  restartNode(port: number): Promise<void>;
  /** Stop every process and remove the directories. Idempotent. */
  stop(): Promise<void>;
}

import { assertKnownKeys, VerkError } from "@verk/core";
import type { ClusterNode, ClusterOptions, Redis, RedisOptions, SentinelAddress } from "ioredis";
import type { KeyLayout } from "./keys.js";
import { type LivenessOptions, type ResolvedLiveness, resolveLiveness } from "./nodes/options.js";
import {
  type ResolvedSidekiqProcess,
  resolveSidekiqProcess,
  type SidekiqProcessOptions,
  type SidekiqWorkersKey,
} from "./sidekiq/options.js";

/** Run on a Redis Cluster: `redisStore({ cluster: { nodes: [...] } })`. */
export interface RedisClusterOptions extends ClusterOptions {
  /** Some nodes of the cluster (`redis://host:port` URLs or `{ host, port }`); the rest are discovered. Required. */
  nodes: readonly (string | ClusterNode)[];
}

/** Run behind Redis Sentinel: `redisStore({ sentinel: { sentinels: [...], name: "mymaster" } })`. */
export interface RedisSentinelOptions extends Omit<RedisOptions, "sentinels" | "name"> {
  /** The sentinels (`{ host, port }`). Required. */
  sentinels: readonly Partial<SentinelAddress>[];
  /** The master group name the sentinels monitor. Required. */
  name: string;
}

/** Confirm writes on replicas before resolving them; see {@link RedisStoreOptions.waitReplicas}. */
export interface WaitReplicasOptions {
  /** Replicas that must confirm each write (Redis `WAIT`). Integer >= 1. */
  replicas: number;
  /** Milliseconds to wait for them before failing with `REPLICATION_TIMEOUT`. (Default: 1,000) */
  timeoutMs?: number;
}

/** Options of {@link redisStore}; liveness options (`heartbeatMs`, `nodeTtlMs`, `maxRecoveries`) are in {@link LivenessOptions}. */
export interface RedisStoreOptions extends LivenessOptions {
  /**
   * Redis URL, e.g. `redis://:password@host:6379/0` or `rediss://...` for TLS.
   * Ignored when `client`, `cluster` or `sentinel` is given. (Default: `"redis://127.0.0.1:6379"`)
   */
  url?: string;
  /**
   * Extra ioredis options for the connections the store creates (merged over `url`).
   * `keyPrefix` is rejected: use `namespace`. (Default: none)
   */
  redis?: RedisOptions;
  /**
   * An existing ioredis client to use as the command connection. The store duplicates it for
   * its blocking and pub/sub connections and never closes it. (Default: none: the store creates its own)
   */
  client?: Redis;
  /** Run on a Redis Cluster with the cluster key layout (one hash tag per queue). (Default: none) */
  cluster?: RedisClusterOptions;
  /** Run behind Redis Sentinel (failover followed by ioredis). (Default: none) */
  sentinel?: RedisSentinelOptions;
  /**
   * The key layout: `"sidekiq"` (Sidekiq's keys, for one Redis; needed for Sidekiq interop) or
   * `"cluster"` (per-queue hash tags). (Default: `"cluster"` with `cluster`, else `"sidekiq"`)
   */
  layout?: KeyLayout;
  /**
   * Resolve enqueue, schedule and failure writes only after `replicas` replicas confirmed them
   * (Redis `WAIT`), so a write that resolved survives a failover of its master. A number is the
   * replica count with a 1,000 ms timeout. Costs a replication round trip per write batch.
   * (Default: off)
   */
  waitReplicas?: number | WaitReplicasOptions;
  /**
   * Prefix of every key and channel, joined with `":"` (e.g. `"app"` → `app:queue:default`).
   * Sidekiq 7+ has no namespaces, so set one only when no Sidekiq process shares the keys.
   * (Default: none)
   */
  namespace?: string;
  /**
   * How long `connect()` waits for the server before failing with `CONNECTION_FAILED`,
   * in milliseconds; reconnection attempts continue within this time. (Default: 10,000)
   */
  connectTimeoutMs?: number;
  /**
   * Log a warning (and emit `error`) when Redis has been unreachable this long, in milliseconds;
   * when it is back, say so. (Default: 5,000)
   */
  unreachableWarnMs?: number;
  /** Warn when this node's clock and Redis's differ by more than this many milliseconds. (Default: 1,000) */
  clockSkewWarnMs?: number;
  /** How many in-progress jobs one recovery script call moves (`recoverNode`). (Default: 1,000) */
  recoverBatchSize?: number;
  /**
   * Show started nodes to Sidekiq as processes (`processes`, `<id>`, `<id>:work`, refreshed every
   * 5 s with a 60 s TTL) and obey Sidekiq's Quiet/Stop signals; `false` turns it off, an object
   * tunes it. (Default: `true`)
   */
  sidekiqProcess?: boolean | SidekiqProcessOptions;
  /**
   * Name of the running-jobs hash: `"work"` (`<id>:work`, Sidekiq >= 6.4.2), `"workers"`
   * (`<id>:workers`, Sidekiq 6.4.1) or `"both"`. (Default: `"work"`)
   */
  sidekiqWorkersKey?: SidekiqWorkersKey;
}

/** Every option name of {@link RedisStoreOptions}. */
export const REDIS_STORE_OPTIONS = [
  "url",
  "redis",
  "client",
  "cluster",
  "sentinel",
  "layout",
  "waitReplicas",
  "namespace",
  "connectTimeoutMs",
  "unreachableWarnMs",
  "clockSkewWarnMs",
  "recoverBatchSize",
  "sidekiqProcess",
  "sidekiqWorkersKey",
  "heartbeatMs",
  "nodeTtlMs",
  "maxRecoveries",
] as const;

/** How the store connects. */
export type Topology =
  | {
      readonly kind: "single";
      readonly url: string;
      readonly redis: RedisOptions;
      readonly client: Redis | undefined;
    }
  | {
      readonly kind: "cluster";
      readonly nodes: readonly (string | ClusterNode)[];
      readonly options: ClusterOptions;
    }
  | { readonly kind: "sentinel"; readonly options: RedisOptions };

/** {@link RedisStoreOptions} after validation and defaults. */
export interface ResolvedOptions {
  readonly topology: Topology;
  readonly layout: KeyLayout;
  readonly waitReplicas: { readonly replicas: number; readonly timeoutMs: number } | undefined;
  readonly namespace: string | undefined;
  readonly connectTimeoutMs: number;
  readonly unreachableWarnMs: number;
  readonly clockSkewWarnMs: number;
  readonly recoverBatchSize: number;
  /** `undefined` when the Sidekiq process heartbeat is off. */
  readonly sidekiqProcess: ResolvedSidekiqProcess | undefined;
  /** Liveness defaults given to the store (the `liveness` option of `createVerk` overrides them). */
  readonly liveness: ResolvedLiveness;
  /** The liveness options that were set explicitly on the store. */
  readonly livenessGiven: LivenessOptions;
}

/** Default Redis URL. */
export const DEFAULT_URL = "redis://127.0.0.1:6379";

function invalid(field: string, message: string): VerkError {
  return new VerkError("INVALID_OPTION", `[redis-store] invalid option "${field}": ${message}`, { field });
}

function positive(field: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (typeof n !== "number" || !Number.isFinite(n) || n <= 0)
    throw invalid(field, "must be a positive number");
  return n;
}

function resolveTopology(options: RedisStoreOptions): Topology {
  const given = (["client", "cluster", "sentinel"] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1) throw invalid(given[1]!, `cannot be combined with "${given[0]}"`);
  if (options.cluster !== undefined) {
    const { nodes, ...rest } = options.cluster;
    if (!Array.isArray(nodes) || nodes.length === 0)
      throw invalid("cluster.nodes", "must list at least one cluster node");
    if (rest.keyPrefix || rest.redisOptions?.keyPrefix)
      throw invalid("cluster.keyPrefix", 'use the "namespace" option');
    return { kind: "cluster", nodes, options: rest };
  }
  if (options.sentinel !== undefined) {
    const { sentinels, name, ...rest } = options.sentinel;
    if (!Array.isArray(sentinels) || sentinels.length === 0)
      throw invalid("sentinel.sentinels", "must list at least one sentinel { host, port }");
    if (typeof name !== "string" || name === "")
      throw invalid("sentinel.name", "must be the master group name");
    if (rest.keyPrefix) throw invalid("sentinel.keyPrefix", 'use the "namespace" option');
    return { kind: "sentinel", options: { ...rest, sentinels: [...sentinels], name } };
  }
  const prefix = options.redis?.keyPrefix || options.client?.options.keyPrefix;
  if (prefix) {
    throw invalid(
      "keyPrefix",
      `ioredis keyPrefix ("${prefix}") is not supported because Lua scripts build key names; use the "namespace" option instead`,
    );
  }
  if (options.url !== undefined && (typeof options.url !== "string" || !/^rediss?:\/\//.test(options.url))) {
    throw invalid("url", `expected a redis:// or rediss:// URL, got ${JSON.stringify(options.url)}`);
  }
  return {
    kind: "single",
    url: options.url ?? DEFAULT_URL,
    redis: options.redis ?? {},
    client: options.client,
  };
}

function resolveWait(value: RedisStoreOptions["waitReplicas"]): ResolvedOptions["waitReplicas"] {
  if (value === undefined) return undefined;
  const o = typeof value === "number" ? { replicas: value } : value;
  if (o === null || typeof o !== "object")
    throw invalid("waitReplicas", "must be a number or { replicas, timeoutMs }");
  assertKnownKeys(o, ["replicas", "timeoutMs"], "redisStore.waitReplicas");
  if (!Number.isInteger(o.replicas) || o.replicas < 1)
    throw invalid("waitReplicas.replicas", "must be an integer >= 1");
  return { replicas: o.replicas, timeoutMs: positive("waitReplicas.timeoutMs", o.timeoutMs, 1_000) };
}

/**
 * Validate options and apply defaults.
 * @throws VerkError `INVALID_OPTION` (with `field`) for an unknown option, a bad value, an ioredis
 * `keyPrefix`, or incompatible options.
 */
export function resolveOptions(options: RedisStoreOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== "object") throw invalid("options", "must be an object");
  assertKnownKeys(options, REDIS_STORE_OPTIONS, "redisStore");
  const topology = resolveTopology(options);
  const layout = options.layout ?? (topology.kind === "cluster" ? "cluster" : "sidekiq");
  if (layout !== "sidekiq" && layout !== "cluster") throw invalid("layout", 'must be "sidekiq" or "cluster"');
  if (topology.kind === "cluster" && layout !== "cluster") {
    throw invalid(
      "layout",
      'a Redis Cluster needs the "cluster" key layout (Sidekiq\'s keys cannot spread over shards)',
    );
  }
  const ns = options.namespace;
  if (ns !== undefined && (typeof ns !== "string" || /[\s{}]/.test(ns))) {
    throw invalid("namespace", "must be a string without spaces or braces");
  }
  const batch = options.recoverBatchSize ?? 1_000;
  if (!Number.isInteger(batch) || batch < 1) throw invalid("recoverBatchSize", "must be a positive integer");
  const livenessGiven: LivenessOptions = {};
  for (const key of ["heartbeatMs", "nodeTtlMs", "maxRecoveries"] as const) {
    if (options[key] !== undefined) livenessGiven[key] = options[key];
  }
  return {
    topology,
    layout,
    waitReplicas: resolveWait(options.waitReplicas),
    namespace: ns || undefined,
    connectTimeoutMs: positive("connectTimeoutMs", options.connectTimeoutMs, 10_000),
    unreachableWarnMs: positive("unreachableWarnMs", options.unreachableWarnMs, 5_000),
    clockSkewWarnMs: positive("clockSkewWarnMs", options.clockSkewWarnMs, 1_000),
    recoverBatchSize: batch,
    sidekiqProcess: resolveSidekiqProcess(options.sidekiqProcess, options.sidekiqWorkersKey),
    liveness: resolveLiveness(options),
    livenessGiven,
  };
}

/** `url` with any password replaced by `***` (`redis://:***@host:6379`), safe to log. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
  }
}

/** A printable, password-masked address of a client's server. */
export function describeClient(client: Redis): string {
  const { host = "127.0.0.1", port = 6379, password, username, tls } = client.options;
  const auth = password ? `${username ?? ""}:***@` : "";
  return `${tls ? "rediss" : "redis"}://${auth}${host}:${port}`;
}

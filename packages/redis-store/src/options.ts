import { VerkError } from "@verk/core";
import type { Redis, RedisOptions } from "ioredis";
import { type LivenessOptions, type ResolvedLiveness, resolveLiveness } from "./nodes/options.js";
import {
  type ResolvedSidekiqProcess,
  resolveSidekiqProcess,
  type SidekiqProcessOptions,
  type SidekiqWorkersKey,
} from "./sidekiq/options.js";

/** Options of {@link redisStore}; liveness options (`heartbeatMs`, `nodeTtlMs`, `maxRecoveries`) are in {@link LivenessOptions}. */
export interface RedisStoreOptions extends LivenessOptions {
  /**
   * Redis URL, e.g. `redis://:password@host:6379/0` or `rediss://...` for TLS.
   * Ignored when `client` is given. (Default: `"redis://127.0.0.1:6379"`)
   */
  url?: string;
  /**
   * Extra ioredis options for the connections the store creates (merged over `url`).
   * `keyPrefix` is rejected: use `namespace`. (Default: none)
   */
  redis?: RedisOptions;
  /**
   * An existing ioredis client to use as the command connection. The store duplicates it for
   * its blocking and pub/sub connections and never closes it. Turn its `enableAutoPipelining`
   * on for cheap concurrent pushes. (Default: none: the store creates its own)
   */
  client?: Redis;
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
   * How many in-progress jobs one `recover` script call moves (`recoverNode`). (Default: 1,000)
   */
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

/** {@link RedisStoreOptions} after validation and defaults. */
export interface ResolvedOptions {
  readonly url: string;
  readonly redis: RedisOptions;
  readonly client: Redis | undefined;
  readonly namespace: string | undefined;
  readonly connectTimeoutMs: number;
  readonly recoverBatchSize: number;
  /** `undefined` when the Sidekiq process heartbeat is off. */
  readonly sidekiqProcess: ResolvedSidekiqProcess | undefined;
  /** Heartbeat, dead-peer recovery and poison-pill settings. */
  readonly liveness: ResolvedLiveness;
}

/** Default Redis URL. */
export const DEFAULT_URL = "redis://127.0.0.1:6379";

function invalid(field: string, message: string): VerkError {
  return new VerkError("INVALID_OPTION", `[redis-store] invalid option "${field}": ${message}`, { field });
}

/**
 * Validate options and apply defaults.
 * @throws VerkError `INVALID_OPTION` (with `field`) for a bad value or an ioredis `keyPrefix`.
 */
export function resolveOptions(options: RedisStoreOptions = {}): ResolvedOptions {
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
  const ns = options.namespace;
  if (ns !== undefined && (typeof ns !== "string" || /\s/.test(ns))) {
    throw invalid("namespace", "must be a string without spaces");
  }
  const timeout = options.connectTimeoutMs ?? 10_000;
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw invalid("connectTimeoutMs", "must be a positive number");
  const batch = options.recoverBatchSize ?? 1_000;
  if (!Number.isInteger(batch) || batch < 1) throw invalid("recoverBatchSize", "must be a positive integer");
  return {
    url: options.url ?? DEFAULT_URL,
    redis: options.redis ?? {},
    client: options.client,
    namespace: ns || undefined,
    connectTimeoutMs: timeout,
    recoverBatchSize: batch,
    sidekiqProcess: resolveSidekiqProcess(options.sidekiqProcess, options.sidekiqWorkersKey),
    liveness: resolveLiveness(options),
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

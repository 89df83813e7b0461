import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { Topology } from "./options.js";
import { VARIABLE_KEY_COMMANDS } from "./scripts.js";

/** A connection the store talks through: one Redis (also behind Sentinel) or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** Create the command connection for `topology` (lazy: nothing connects until asked). */
export function createClient(topology: Topology): RedisClient {
  switch (topology.kind) {
    case "cluster":
      return new Cluster([...topology.nodes] as ConstructorParameters<typeof Cluster>[0], {
        ...topology.options,
        lazyConnect: true,
        enableAutoPipelining: true,
        autoPipeliningIgnoredCommands: [
          ...(topology.options.autoPipeliningIgnoredCommands ?? []),
          ...VARIABLE_KEY_COMMANDS,
        ],
      });
    case "sentinel":
      return new Redis({ ...topology.options, lazyConnect: true, enableAutoPipelining: true });
    default:
      return (
        topology.client ??
        new Redis(topology.url, { ...topology.redis, lazyConnect: true, enableAutoPipelining: true })
      );
  }
}

/** A new connection with the same settings (its own socket; lazy; no auto-pipelining). */
export function duplicateClient(client: RedisClient): RedisClient {
  if (client instanceof Cluster) {
    return client.duplicate(undefined, { lazyConnect: true, enableAutoPipelining: false });
  }
  return client.duplicate({ lazyConnect: true, enableAutoPipelining: false });
}

/** True for a Redis Cluster client. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** The options of a single connection (of a Cluster: the per-node options). */
export function connectionOptions(client: RedisClient): RedisOptions {
  return client instanceof Cluster ? (client.options.redisOptions ?? {}) : client.options;
}

/**
 * Keep what a worker thread can receive (structured clone): plain objects, arrays, strings,
 * numbers, booleans and Buffers; functions and class instances (sockets, agents) are dropped.
 */
export function cloneable(value: unknown, depth = 0): unknown {
  if (depth > 6) return undefined;
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (Array.isArray(value)) return value.map((v) => cloneable(v, depth + 1));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const c = cloneable(v, depth + 1);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return undefined;
}

/** Connection settings of `client` for a worker thread (see {@link connectFromSpec}). */
export interface ConnectionSpec {
  readonly kind: "single" | "cluster";
  /** Single (or Sentinel): the connection options; Cluster: `{ nodes, options }`. */
  readonly options: unknown;
}

/** The options of a single (or Sentinel) connection that another thread needs to reach the same server. */
const SINGLE_SPEC_KEYS = [
  "host",
  "port",
  "path",
  "username",
  "password",
  "db",
  "tls",
  "family",
  "sentinels",
  "name",
  "sentinelPassword",
  "sentinelUsername",
  "role",
] as const;

/** Describe `client` so another thread can open its own connection to the same server(s). */
export function connectionSpec(client: RedisClient): ConnectionSpec {
  if (client instanceof Cluster) {
    const nodes = client
      .nodes("master")
      .map((node) => ({ host: node.options.host, port: node.options.port }));
    const { redisOptions } = client.options;
    return {
      kind: "cluster",
      options: { nodes, options: cloneable({ redisOptions, slotsRefreshTimeout: 2_000 }) },
    };
  }
  const options = client.options as unknown as Record<string, unknown>;
  return {
    kind: "single",
    options: cloneable(Object.fromEntries(SINGLE_SPEC_KEYS.map((key) => [key, options[key]]))),
  };
}

/** Open a connection from a {@link ConnectionSpec} (used inside worker threads). */
export function connectFromSpec(spec: ConnectionSpec): RedisClient {
  if (spec.kind === "cluster") {
    const { nodes, options } = spec.options as { nodes: { host: string; port: number }[]; options: object };
    return new Cluster(nodes, { ...options, enableOfflineQueue: true });
  }
  return new Redis({ ...(spec.options as RedisOptions), maxRetriesPerRequest: 1 });
}

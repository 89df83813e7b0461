import type { Redis as Single } from "ioredis";
import { isCluster, type RedisClient as Redis } from "../client.js";

/** What the dashboard shows about the Redis server (from `INFO`). */
export interface ServerInfo {
  /** `redis_version`, e.g. `"7.0.15"`. */
  readonly version: string;
  /** `redis_mode`: `standalone`, `cluster` or `sentinel`. */
  readonly mode: string;
  /** Seconds since the server started. */
  readonly uptimeSeconds: number;
  /** Connected clients. */
  readonly connectedClients: number;
  /** Memory used, bytes. */
  readonly usedMemory: number;
  /** Peak memory used, bytes. */
  readonly usedMemoryPeak: number;
  /** `maxmemory` in bytes; 0 = no limit. */
  readonly maxMemory: number;
  /** `maxmemory-policy`, e.g. `noeviction`. */
  readonly maxMemoryPolicy: string;
  /**
   * Masters the figures add up (Redis Cluster: clients and memory are summed over them, `maxMemory`
   * is 0 when any has no limit, `uptimeSeconds` is the shortest, `version` the oldest); 1 otherwise.
   */
  readonly masters: number;
}

/** Parse the text of `INFO` into field → value. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** Read {@link ServerInfo}: `INFO` sections server, clients and memory (of every master on a Redis Cluster). */
export async function serverInfo(redis: Redis): Promise<ServerInfo> {
  if (!isCluster(redis)) return serverInfoOf(redis);
  const all = await Promise.all(redis.nodes("master").map((node) => serverInfoOf(node)));
  if (all.length === 0) return serverInfoOf(redis as unknown as Single);
  const sum = (field: "connectedClients" | "usedMemory" | "usedMemoryPeak") =>
    all.reduce((n, info) => n + info[field], 0);
  const versions = all
    .map((info) => info.version)
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return {
    version: versions[0] ?? "",
    mode: "cluster",
    uptimeSeconds: Math.min(...all.map((info) => info.uptimeSeconds)),
    connectedClients: sum("connectedClients"),
    usedMemory: sum("usedMemory"),
    usedMemoryPeak: sum("usedMemoryPeak"),
    maxMemory: all.some((info) => info.maxMemory === 0) ? 0 : all.reduce((n, info) => n + info.maxMemory, 0),
    maxMemoryPolicy: [...new Set(all.map((info) => info.maxMemoryPolicy))].join(","),
    masters: all.length,
  };
}

async function serverInfoOf(redis: Single): Promise<ServerInfo> {
  const [server, clients, memory] = await Promise.all([
    redis.info("server"),
    redis.info("clients"),
    redis.info("memory"),
  ]);
  const info = { ...parseInfo(server), ...parseInfo(clients), ...parseInfo(memory) };
  const n = (field: string) => Number(info[field] ?? 0) || 0;
  return {
    version: info.redis_version ?? "",
    mode: info.redis_mode ?? "standalone",
    uptimeSeconds: n("uptime_in_seconds"),
    connectedClients: n("connected_clients"),
    usedMemory: n("used_memory"),
    usedMemoryPeak: n("used_memory_peak"),
    maxMemory: n("maxmemory"),
    maxMemoryPolicy: info.maxmemory_policy ?? "",
    masters: 1,
  };
}

import type { RedisClient as Redis } from "../client.js";

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

/** Read {@link ServerInfo} with one `INFO` call (sections server, clients, memory). */
export async function serverInfo(redis: Redis): Promise<ServerInfo> {
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
  };
}

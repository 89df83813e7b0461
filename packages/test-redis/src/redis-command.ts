import { Redis } from "ioredis";

/**
 * Send one command to the Redis server (or sentinel) on `127.0.0.1:<port>` over a fresh
 * connection and close it again. Rejects when the server is down (after a 1,000 ms connect
 * timeout) or answers with an error.
 * @example
 * const info = (await redisCommand(7001, "CLUSTER", "INFO")) as string;
 */
export async function redisCommand(
  port: number,
  command: string,
  ...args: (string | number)[]
): Promise<unknown> {
  const client = new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    connectTimeout: 1_000,
    commandTimeout: 5_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/** Like {@link redisCommand}, resolving `undefined` instead of rejecting. */
export async function tryRedisCommand(
  port: number,
  command: string,
  ...args: (string | number)[]
): Promise<unknown> {
  try {
    return await redisCommand(port, command, ...args);
  } catch {
    return undefined;
  }
}

/** One field of an `INFO` (or `CLUSTER INFO`) reply, e.g. `cluster_state`; `undefined` when absent. */
export function infoField(info: unknown, field: string): string | undefined {
  if (typeof info !== "string") return undefined;
  return new RegExp(`^${field}:(.*?)\\r?$`, "m").exec(info)?.[1];
}

import { Redis } from "ioredis";

/** One open admin connection per port (a connection per call would leave thousands of sockets in TIME_WAIT while polling). */
const connections = new Map<number, Promise<Redis>>();

function connect(port: number): Promise<Redis> {
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
  const ready = client.connect().then(
    () => client,
    (error: unknown) => {
      connections.delete(port);
      client.disconnect();
      throw error;
    },
  );
  connections.set(port, ready);
  return ready;
}

async function connection(port: number): Promise<Redis> {
  const cached = connections.get(port);
  if (cached) {
    const client = await cached.catch(() => undefined);
    if (client?.status === "ready") return client;
    if (connections.get(port) === cached) connections.delete(port);
    client?.disconnect();
  }
  return connections.get(port) ?? connect(port);
}

/**
 * Send one command to the Redis server (or sentinel) on `127.0.0.1:<port>`, over one admin
 * connection per port that is opened on first use and reopened after the server went away.
 * Rejects when the server is down (after a 1,000 ms connect timeout) or answers with an error.
 * The connection ends with its server, or with {@link closeRedisCommands}.
 * @example
 * const info = (await redisCommand(7001, "CLUSTER", "INFO")) as string;
 */
export async function redisCommand(
  port: number,
  command: string,
  ...args: (string | number)[]
): Promise<unknown> {
  const client = await connection(port);
  return client.call(command, ...args);
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

/** Close the admin connections of {@link redisCommand} to `ports` (default: every port). */
export async function closeRedisCommands(ports?: Iterable<number>): Promise<void> {
  const targets = ports ? [...ports] : [...connections.keys()];
  await Promise.all(
    targets.map(async (port) => {
      const cached = connections.get(port);
      connections.delete(port);
      (await cached?.catch(() => undefined))?.disconnect();
    }),
  );
}

/** One field of an `INFO` (or `CLUSTER INFO`) reply, e.g. `cluster_state`; `undefined` when absent. */
export function infoField(info: unknown, field: string): string | undefined {
  if (typeof info !== "string") return undefined;
  return new RegExp(`^${field}:(.*?)\\r?$`, "m").exec(info)?.[1];
}

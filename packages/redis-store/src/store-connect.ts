import { VerkError } from "@verk/core";
import { isCluster, type RedisClient } from "./client.js";
import { waitReady } from "./connection.js";
import { describeClient, maskUrl, type ResolvedOptions, type Topology } from "./options.js";
import { assertSupportedRedis } from "./version.js";

/** A printable, password-masked description of where the store connects. */
export function storeAddress(client: RedisClient, topology: Topology): string {
  if (topology.kind === "cluster") {
    const first = topology.nodes[0];
    const shown =
      typeof first === "string"
        ? maskUrl(first)
        : typeof first === "number"
          ? `127.0.0.1:${first}`
          : `${first?.host ?? "127.0.0.1"}:${first?.port ?? 6379}`;
    return `redis cluster (${shown}, …)`;
  }
  if (topology.kind === "sentinel") return `redis sentinel group "${topology.options.name}"`;
  if (topology.client !== undefined || isCluster(client)) return describeClient(client as never);
  return maskUrl(topology.url);
}

/**
 * Connect the command connection and check the server: version >= 6.2, the database index
 * exists, and a plain URL does not point at a Redis Cluster node. Resolves the server version.
 */
export async function connectStore(
  client: RedisClient,
  options: ResolvedOptions,
  address: string,
  ownsClient: boolean,
): Promise<{ version: string; major: number }> {
  try {
    await waitReady(client, options.connectTimeoutMs, address);
  } catch (error) {
    if (ownsClient) client.disconnect();
    throw error;
  }
  const version = assertSupportedRedis(await client.info("server"));
  if (!isCluster(client)) {
    const cluster = await client.info("cluster").catch(() => "");
    if (/^cluster_enabled:1/m.test(cluster)) {
      throw new VerkError(
        "INVALID_OPTION",
        `[redis-store] ${address} is a Redis Cluster node: use redisStore({ cluster: { nodes: ["redis://host:port", ...] } }) (a plain URL gets MOVED replies)`,
        { field: "cluster" },
      );
    }
    const db = client.options.db ?? 0;
    if (db !== 0) {
      await client.select(db).catch((error: Error) => {
        throw new VerkError(
          "INVALID_OPTION",
          `[redis-store] database ${db} of ${address} cannot be selected (${error.message}); check the /<db> part of the URL and the server's "databases" setting`,
          { field: "url", cause: error },
        );
      });
    }
  }
  return { version, major: Number.parseInt(version, 10) || 0 };
}

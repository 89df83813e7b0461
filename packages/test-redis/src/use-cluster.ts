import { Cluster } from "ioredis";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type StartClusterOptions, startCluster, type TestCluster } from "./cluster/start-cluster.js";
import { redisCommand } from "./redis-command.js";

/** A private Redis Cluster for one test file, from {@link useCluster}. Read the fields inside tests and hooks. */
export interface ClusterFixture {
  /** The cluster (topology, kill/restart/failover, stop). */
  readonly cluster: TestCluster;
  /** An ioredis `Cluster` client on it, for arranging and asserting on data. */
  readonly redis: Cluster;
}

/**
 * Register vitest hooks that start one private Redis Cluster for the calling test file
 * (`beforeAll`; 3 masters with 1 replica each unless `options` say otherwise), and before each
 * test restart the nodes an earlier test killed and `FLUSHALL` every master (unless
 * `flush: false`), and stop it all (`afterAll`). Give the hooks time: `hookTimeout` of 20 s or more.
 */
export function useCluster(options: StartClusterOptions & { flush?: boolean } = {}): ClusterFixture {
  const { flush, ...clusterOptions } = options;
  let cluster: TestCluster | undefined;
  let redis: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster(clusterOptions);
    redis = new Cluster([...cluster.startupNodes]);
    redis.on("error", () => {}); // commands reject on their own; failover tests would print every reconnect
  });
  afterAll(async () => {
    await redis?.quit().catch(() => redis?.disconnect());
    await cluster?.stop();
  });
  beforeEach(async () => {
    const current = ready(cluster);
    for (const port of current.killedPorts()) await current.restartNode(port);
    if (flush === false) return;
    const masters = (await current.topology()).filter((node) => node.role === "master" && !node.failing);
    await Promise.all(masters.map((node) => redisCommand(node.port, "FLUSHALL")));
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error("useCluster(): the cluster starts in beforeAll; read it inside tests");
    return value;
  };
  return {
    get cluster() {
      return ready(cluster);
    },
    get redis() {
      return ready(redis);
    },
  };
}

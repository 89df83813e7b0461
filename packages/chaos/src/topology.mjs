// Where a chaos run happens: one redis-server with AOF (Sidekiq key layout, one queue), or a
// Redis Cluster of 3 masters with AOF (cluster key layout, 3 queues on 3 different masters).
import { Cluster, Redis, redisStoreModule, testRedis } from "./deps.mjs";

const AOF = ["--appendonly", "yes", "--appendfsync", "always"];

/**
 * @typedef {object} ChaosTopology
 * @property {"single" | "cluster"} kind
 * @property {object} storeOptions connection options of `redisStore` (url, or cluster nodes)
 * @property {Record<string, string>} env what a worker process needs to connect (see worker.mjs)
 * @property {import("ioredis").Redis | import("ioredis").Cluster} admin a client for checks
 * @property {string[]} queues the queues jobs are spread over
 * @property {import("@verk/redis-store").Keys} keys the store's key names
 * @property {string} ranKey SET of jids that ran
 * @property {(jid: string) => string} countKey STRING: how often `jid` ran
 * @property {(pattern: string) => Promise<string[]>} keysMatching KEYS on every master
 * @property {() => Promise<void>} killRedis SIGKILL the server (cluster: a master holding a queue)
 * @property {() => Promise<void>} restartRedis start it again from its AOF and wait until it serves
 * @property {() => Promise<void>} stop
 */

/** @returns {Promise<ChaosTopology>} */
export async function startSingle() {
  const redis = await testRedis.startRedis({ args: AOF });
  const admin = new Redis(redis.url, { maxRetriesPerRequest: null });
  admin.on("error", () => {});
  return {
    kind: "single",
    storeOptions: { url: redis.url },
    env: { REDIS_URL: redis.url },
    admin,
    queues: ["chaos"],
    keys: redisStoreModule.createKeys(),
    ranKey: "chaos:ran",
    countKey: (jid) => `chaos:count:${jid}`,
    keysMatching: (pattern) => admin.keys(pattern),
    killRedis: () => redis.kill(),
    restartRedis: () => redis.restart(),
    async stop() {
      admin.disconnect();
      await redis.stop();
    },
  };
}

/** @returns {Promise<ChaosTopology>} */
export async function startCluster() {
  const cluster = await testRedis.startCluster({ replicasPerMaster: 0, args: AOF });
  const admin = new Cluster([...cluster.startupNodes], {
    redisOptions: { maxRetriesPerRequest: null },
    retryDelayOnClusterDown: 200,
    maxRedirections: 1_000,
  });
  admin.on("error", () => {});
  const keys = redisStoreModule.createKeys(undefined, "cluster");
  // Three queues whose slots are served by three different masters.
  const byMaster = new Map();
  for (let i = 0; byMaster.size < 3 && i < 200; i++) {
    const queue = `chaos-${i}`;
    const master = await cluster.masterOf(keys.queue(queue));
    if (!byMaster.has(master.port)) byMaster.set(master.port, queue);
  }
  const queues = [...byMaster.values()];
  const victim = [...byMaster.keys()][0];
  return {
    kind: "cluster",
    storeOptions: { cluster: { nodes: [...cluster.urls] } },
    env: { REDIS_CLUSTER_NODES: cluster.urls.join(","), CHAOS_QUEUES: queues.join(",") },
    admin,
    queues,
    keys,
    ranKey: "{chaos}:ran",
    countKey: (jid) => `{chaos}:count:${jid}`,
    async keysMatching(pattern) {
      const found = await Promise.all(
        admin.nodes("master").map((node) => node.keys(pattern).catch(() => [])),
      );
      return found.flat();
    },
    killRedis: () => cluster.killNode(victim),
    restartRedis: () => cluster.restartNode(victim),
    async stop() {
      admin.disconnect();
      await cluster.stop();
    },
  };
}

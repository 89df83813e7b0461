import { runStoreConformance } from "@verk/store-conformance";
import { redisCommand, startCluster } from "@verk/test-redis";
import { redisStore } from "../src/index.js";

// The whole suite on a real Redis Cluster (3 masters): every script must get all its keys in
// one slot (a cluster refuses anything else), and queues spread over the shards.
runStoreConformance("redis cluster (3 masters)", async () => {
  const cluster = await startCluster({ replicasPerMaster: 0 });
  return {
    store: () => redisStore({ cluster: { nodes: [...cluster.urls] } }),
    reset: async () => {
      const masters = (await cluster.topology()).filter((node) => node.role === "master");
      await Promise.all(masters.map((node) => redisCommand(node.port, "FLUSHALL")));
    },
    close: async () => {
      await cluster.stop();
    },
  };
});

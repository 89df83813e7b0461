export { hasRedisCli, hasRedisServer, redisCliBinary, redisServerBinary } from "./binaries.js";
export type { ClusterHealth } from "./cluster/cluster-health.js";
export { checkClusterHealth } from "./cluster/cluster-health.js";
export type { ClusterNodeInfo } from "./cluster/cluster-nodes.js";
export { CLUSTER_SLOTS, parseClusterNodes, slotOwners } from "./cluster/cluster-nodes.js";
export type { ClusterFailover, StartClusterOptions, TestCluster } from "./cluster/start-cluster.js";
export { startCluster } from "./cluster/start-cluster.js";
export { freeClusterPort, freePort } from "./free-port.js";
export type { ProxyDirection, ProxyTarget, StartProxyOptions, TcpProxy } from "./proxy.js";
export { startProxy } from "./proxy.js";
export { closeRedisCommands, redisCommand } from "./redis-command.js";
export type { SentinelConfig } from "./sentinel/sentinel-config.js";
export { sentinelConfigText } from "./sentinel/sentinel-config.js";
export type {
  SentinelAddress,
  SentinelFailover,
  SentinelFailoverMode,
  StartSentinelOptions,
  TestSentinel,
} from "./sentinel/sentinel-types.js";
export { startSentinel } from "./sentinel/start-sentinel.js";
export type { StartRedisOptions, TestRedis } from "./start-redis.js";
export { startRedis } from "./start-redis.js";

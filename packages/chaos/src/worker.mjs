// One chaos worker process: runs queue "chaos" on the Redis at REDIS_URL, or the queues of
// CHAOS_QUEUES on the Redis Cluster of REDIS_CLUSTER_NODES. Every job records its jid (SADD
// chaos:ran, INCR chaos:count:<jid>; on a cluster under the {chaos} hash tag) then sleeps a
// little, so jobs are in flight when the harness SIGKILLs this process. Sends { nodeId } to the
// parent once started, and { fromNodeId, count } for every peer whose jobs it recovered.
import { Cluster, core, Redis, redisStoreModule } from "./deps.mjs";

const url = process.env.REDIS_URL;
const clusterNodes = process.env.REDIS_CLUSTER_NODES?.split(",");
const queues = process.env.CHAOS_QUEUES?.split(",") ?? ["chaos"];
const tag = clusterNodes ? "{chaos}" : "chaos";
const concurrency = Number(process.env.CONCURRENCY ?? 20);
const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 250);
const nodeTtlMs = Number(process.env.NODE_TTL_MS ?? 1_000);

// Commands wait across a Redis restart instead of failing (the job would then go to the retry set).
const recorder = clusterNodes
  ? new Cluster(clusterNodes, {
      redisOptions: { maxRetriesPerRequest: null },
      retryDelayOnClusterDown: 200,
      maxRedirections: 1_000,
    })
  : new Redis(url, { maxRetriesPerRequest: null });
recorder.on("error", () => {});

/** Record one run of `jid`, retrying while a cluster is down (a master restarting). */
async function record(jid) {
  for (let attempt = 0; ; attempt++) {
    try {
      await recorder.multi().sadd(`${tag}:ran`, jid).incr(`${tag}:count:${jid}`).exec();
      return;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A logger in pino's shape (`warn(fields, message)`): errors always, warnings with CHAOS_VERBOSE. */
const line = (level, fields, message) =>
  `[worker ${process.pid}] ${level} ${typeof fields === "string" ? fields : (message ?? "")} ${
    typeof fields === "object" && fields !== null
      ? JSON.stringify(fields, (_k, v) => (v instanceof Error ? v.message : v))
      : ""
  }\n`;
const logger = {
  debug() {},
  info() {},
  warn(fields, message) {
    if (process.env.CHAOS_VERBOSE) process.stderr.write(line("WARN", fields, message));
  },
  error(fields, message) {
    process.stderr.write(line("ERROR", fields, message));
  },
};

const ChaosJob = core.defineWorker(
  "ChaosJob",
  async function (sleepMs) {
    const jid = this.jid;
    await record(jid);
    await new Promise((resolve) => setTimeout(resolve, sleepMs));
  },
  { queue: queues[0], backoff: () => 1 },
);

const verk = core.createVerk({
  store: redisStoreModule.redisStore({
    ...(clusterNodes ? { cluster: { nodes: clusterNodes } } : { url }),
    heartbeatMs,
    nodeTtlMs,
    sidekiqProcess: false,
    connectTimeoutMs: 30_000,
  }),
  queues: Object.fromEntries(queues.map((q) => [q, Math.max(1, Math.round(concurrency / queues.length))])),
  workers: [ChaosJob],
  fetchBlockMs: 500,
  pollIntervalMs: 200,
  logger,
});

// Tell the harness whose jobs this node took back, so it can tell recoveries of killed workers
// from those of live workers declared dead (starved of CPU past the TTL; their jobs run twice).
verk.on("jobs:recovered", ({ fromNodeId, count }) =>
  process.send?.({ type: "recovered", fromNodeId, count }),
);

await verk.start();
process.send?.({ type: "started", nodeId: verk.nodeId });
process.on("SIGTERM", () => {
  verk.stop({ timeout: 5_000 }).finally(() => process.exit(0));
});

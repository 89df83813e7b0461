// One chaos worker process: runs queue "chaos" on the Redis at REDIS_URL. Every job records its
// jid (SADD chaos:ran, INCR chaos:count:<jid>) then sleeps a little, so jobs are in flight when
// the harness SIGKILLs this process. Sends { nodeId } to the parent once started.
import { core, Redis, redisStoreModule } from "./deps.mjs";

const url = process.env.REDIS_URL;
const concurrency = Number(process.env.CONCURRENCY ?? 20);
const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 250);
const nodeTtlMs = Number(process.env.NODE_TTL_MS ?? 1_000);

// Commands wait across a Redis restart instead of failing (the job would then go to the retry set).
const recorder = new Redis(url, { maxRetriesPerRequest: null });
recorder.on("error", () => {});

const logger = {
  debug() {},
  info() {},
  warn(message) {
    if (process.env.CHAOS_VERBOSE) process.stderr.write(`[worker ${process.pid}] ${message}\n`);
  },
  error(message, fields) {
    process.stderr.write(`[worker ${process.pid}] ERROR ${message} ${fields?.error ?? ""}\n`);
  },
};

const ChaosJob = core.defineWorker(
  "ChaosJob",
  async function (sleepMs) {
    const jid = this.jid;
    await recorder.multi().sadd("chaos:ran", jid).incr(`chaos:count:${jid}`).exec();
    await new Promise((resolve) => setTimeout(resolve, sleepMs));
  },
  { queue: "chaos", backoff: () => 1 },
);

const verk = core.createVerk({
  store: redisStoreModule.redisStore({
    url,
    heartbeatMs,
    nodeTtlMs,
    sidekiqProcess: false,
    connectTimeoutMs: 30_000,
  }),
  queues: { chaos: concurrency },
  workers: [ChaosJob],
  fetchBlockMs: 500,
  pollIntervalMs: 200,
  logger,
});

await verk.start();
process.send?.({ type: "started", nodeId: verk.nodeId });
process.on("SIGTERM", () => {
  verk.stop({ timeout: 5_000 }).finally(() => process.exit(0));
});

import type { Producer, SystemAdapter } from "./adapters/types.js";
import { hrtimeMs } from "./clock.js";
import { type BenchRedis, commandCalls, redisCpuSeconds, resetRedis, usedMemory } from "./redis.js";
import { percentile } from "./stats.js";
import { WorkerPool } from "./workers.js";

/** Jobs in flight in the one-by-one enqueue workload. */
export const ENQUEUE_IN_FLIGHT = 50;
/** Jobs per bulk call. */
export const BULK_CHUNK = 1_000;
/** Concurrency of each worker process. */
export const CONCURRENCY = 50;
/** Milliseconds between two jobs of the latency workload. */
export const LATENCY_GAP_MS = 2;

/** What every workload gets. */
export interface WorkloadContext {
  readonly redis: BenchRedis;
  readonly adapter: SystemAdapter;
  /** Jobs per throughput workload (`--jobs`; the payload workloads scale their counts with it). */
  readonly jobs: number;
  /** `--smoke`: the short version (fewer on-time jobs). */
  readonly smoke: boolean;
  /** Measured duration of the latency workload, ms (after `latencyWarmupMs`). */
  readonly latencyMs: number;
  readonly latencyWarmupMs: number;
  /** Where worker processes write `--cpu-prof` files (off when undefined). */
  readonly cpuProfDir?: string | undefined;
}

/** Metrics of one system in one round; absent when the workload does not apply. */
export interface RoundMetrics {
  enqueueOneJobsPerSec?: number;
  bulkJobsPerSec?: number;
  redisBytesPerJob?: number;
  processJobsPerSec?: number;
  process2JobsPerSec?: number;
  workerPeakRssMiB?: number;
  workerCpuMicrosPerJob?: number;
  redisCommandsPerJob?: number;
  redisCpuMicrosPerJob?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  /** CPU hog (isolation): enqueue-to-start of an in-process queue next to a thread-isolated hog, ms. */
  hogIsolatedP50Ms?: number;
  hogIsolatedP99Ms?: number;
  /** The same with the hog in-process. */
  hogInProcessP50Ms?: number;
  hogInProcessP99Ms?: number;
  /** ~5 ms synchronous jobs, thread-isolated, 1 and 2 threads. */
  multicore1JobsPerSec?: number;
  multicore2JobsPerSec?: number;
  /** No-op jobs at concurrency 50: in one worker thread, and in-process. */
  overheadIsolatedJobsPerSec?: number;
  overheadInProcessJobsPerSec?: number;
  // Issue #11 item 8 (workloads/push-cost.ts): the idempotent batch push against a plain LPUSH.
  pushTokenOneJobsPerSec?: number;
  /** Plain LPUSH + SADD coalesced per event-loop turn, as the store batches (the token's own cost). */
  pushBatchedOneJobsPerSec?: number;
  /** Plain LPUSH + SADD per job. */
  pushPlainOneJobsPerSec?: number;
  pushTokenBulkJobsPerSec?: number;
  pushPlainBulkJobsPerSec?: number;
  pushTokenOneRedisCpuMicrosPerJob?: number;
  pushBatchedOneRedisCpuMicrosPerJob?: number;
  pushTokenBulkRedisCpuMicrosPerJob?: number;
  pushPlainBulkRedisCpuMicrosPerJob?: number;
  // Issue #10 (workloads/heartbeat-hog.ts): 2.4 s event-loop blocks with heartbeat 250 ms, TTL 1 s.
  /** The node's jobs a peer recovered (a false death), with the keep-alive thread. */
  heartbeatHogFalseDeaths?: number;
  /** Lowest remaining heartbeat TTL seen meanwhile, ms (-2: it expired). */
  heartbeatHogMinTtlMs?: number;
  /** The same node without its keep-alive thread (`maxEventLoopBlockMs: 0`): jobs recovered during its first block. */
  heartbeatHogNoThreadFalseDeaths?: number;
  /** Issue #13: 6 queues drained on the Sidekiq layout on one Redis, and on the cluster layout on 3 masters. */
  clusterOneJobsPerSec?: number;
  clusterOneRedisCpuMicrosPerJob?: number;
  clusterJobsPerSec?: number;
  /** Redis CPU per job summed over the 3 masters, and each master's (busiest first). */
  clusterRedisCpuMicrosPerJob?: number;
  clusterBusiestMasterCpuMicrosPerJob?: number;
  clusterMiddleMasterCpuMicrosPerJob?: number;
  clusterIdlestMasterCpuMicrosPerJob?: number;
  /** Issue #13: enqueue and processing with a replica, without and with `waitReplicas: 1`. */
  waitOffEnqueueOneJobsPerSec?: number;
  waitOnEnqueueOneJobsPerSec?: number;
  waitOffBulkJobsPerSec?: number;
  waitOnBulkJobsPerSec?: number;
  waitOffProcessJobsPerSec?: number;
  waitOnProcessJobsPerSec?: number;
  /** Calls per processed job, by command (process workload). */
  commandsByName?: Record<string, number>;
  // Issue #16's workloads (see workloads/*.ts); each `…StallMs` is the worst single event of
  // Redis's latency monitor during that workload (0 = none of 10 ms or more).
  processArgs2kJobsPerSec?: number;
  processArgs20kJobsPerSec?: number;
  processArgs200kJobsPerSec?: number;
  /** Jobs due at one instant: ms from the due instant until the last one completed. */
  dueAtOnce2kMs?: number;
  dueAtOnce20kMs?: number;
  dueAtOnce200kMs?: number;
  retryStormJobsPerSec?: number;
  scheduleBulkJobsPerSec?: number;
  /** A job scheduled ~1 s ahead at light load: ms from its due time until its handler started. */
  promoteLateP50Ms?: number;
  promoteLateP99Ms?: number;
  processArgs2kStallMs?: number;
  processArgs20kStallMs?: number;
  processArgs200kStallMs?: number;
  dueAtOnce2kStallMs?: number;
  dueAtOnce20kStallMs?: number;
  dueAtOnce200kStallMs?: number;
  retryStormStallMs?: number;
  scheduleBulkStallMs?: number;
  promoteLateStallMs?: number;
  // Issue #14's workloads (Verk only, see workloads/flow.ts): each pair in the same run.
  flowEnqueuePlainJobsPerSec?: number;
  flowEnqueueUniqueJobsPerSec?: number;
  flowBulkPlainJobsPerSec?: number;
  flowBulkUniqueJobsPerSec?: number;
  flowProcessPlainJobsPerSec?: number;
  flowProcessClassLimitJobsPerSec?: number;
  flowProcessRateLimitJobsPerSec?: number;
  flowProcessKeyLimitJobsPerSec?: number;
  /** Metrics of this round whose workload hit its time bound (shown as "timeout"). */
  timedOut?: NumericMetric[];
  /** The latency-monitor event behind each `…StallMs` above 0, e.g. `{ dueAtOnce200kStallMs: "command" }`. */
  stallEvents?: Partial<Record<NumericMetric, string>>;
}

/** The keys of {@link RoundMetrics} that hold one number. */
export type NumericMetric = Exclude<keyof RoundMetrics, "commandsByName" | "timedOut" | "stallEvents">;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function enqueueOneByOne(producer: Producer, jobs: number): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < jobs) {
      const i = next++;
      await producer.add({ i });
    }
  };
  await Promise.all(Array.from({ length: Math.min(ENQUEUE_IN_FLIGHT, jobs) }, loop));
}

async function enqueueBulk(producer: Producer, jobs: number): Promise<void> {
  for (let start = 0; start < jobs; start += BULK_CHUNK) {
    const batch = [];
    for (let i = start; i < Math.min(jobs, start + BULK_CHUNK); i++) batch.push({ i });
    await producer.addBulk!(batch);
  }
}

/** Put `jobs` waiting jobs in the queue, with the bulk API when the system has one. */
async function fill(ctx: WorkloadContext, jobs: number): Promise<void> {
  const producer = await ctx.adapter.producer(ctx.redis.url);
  try {
    if (producer.addBulk) await enqueueBulk(producer, jobs);
    else await enqueueOneByOne(producer, jobs);
  } finally {
    await producer.close();
  }
}

/**
 * Enqueue one by one (50 in flight) and measure Redis memory per waiting job
 * (`used_memory` delta with no client of the system connected, divided by N).
 */
export async function runEnqueueOne(ctx: WorkloadContext): Promise<RoundMetrics> {
  const { admin } = ctx.redis;
  await resetRedis(admin);
  const before = await usedMemory(admin);
  const producer = await ctx.adapter.producer(ctx.redis.url);
  const t0 = hrtimeMs();
  await enqueueOneByOne(producer, ctx.jobs);
  const ms = hrtimeMs() - t0;
  await producer.close();
  await sleep(100);
  const after = await usedMemory(admin);
  await resetRedis(admin);
  return { enqueueOneJobsPerSec: (ctx.jobs * 1000) / ms, redisBytesPerJob: (after - before) / ctx.jobs };
}

/** Bulk enqueue in calls of 1,000 (systems with a bulk API only). */
export async function runBulk(ctx: WorkloadContext): Promise<RoundMetrics> {
  const { admin } = ctx.redis;
  await resetRedis(admin);
  const producer = await ctx.adapter.producer(ctx.redis.url);
  if (!producer.addBulk) {
    await producer.close();
    return {};
  }
  const t0 = hrtimeMs();
  await enqueueBulk(producer, ctx.jobs);
  const ms = hrtimeMs() - t0;
  await producer.close();
  await resetRedis(admin);
  return { bulkJobsPerSec: (ctx.jobs * 1000) / ms };
}

/**
 * Process N waiting no-op jobs with `processes` worker processes at concurrency 50 each.
 * Clock: from the start signal to the Nth completion (hrtime, measured in the workers).
 */
export async function runProcess(ctx: WorkloadContext, processes: number): Promise<RoundMetrics> {
  const { admin } = ctx.redis;
  await resetRedis(admin);
  await fill(ctx, ctx.jobs);
  const pool = await WorkerPool.open({
    system: ctx.adapter.name,
    url: ctx.redis.url,
    processes,
    concurrency: CONCURRENCY,
    latency: false,
    cpuProfDir: processes === 1 ? ctx.cpuProfDir : undefined,
  });
  try {
    await admin.config("RESETSTAT");
    const cpu0 = await redisCpuSeconds(admin);
    pool.start();
    await pool.waitForCompleted(ctx.jobs, 60_000 + ctx.jobs * 2);
    const reports = await pool.reports();
    const cpu1 = await redisCpuSeconds(admin);
    const calls = await commandCalls(admin);
    const total = reports.reduce((sum, r) => sum + r.count, 0);
    const ms = Math.max(...reports.map((r) => r.lastDoneAt)) - Math.min(...reports.map((r) => r.startAt));
    const jobsPerSec = (total * 1000) / ms;
    if (processes !== 1) return { process2JobsPerSec: jobsPerSec };
    const byName: Record<string, number> = {};
    let commands = 0;
    for (const [name, n] of Object.entries(calls)) {
      commands += n;
      byName[name] = n / total;
    }
    const report = reports[0]!;
    return {
      processJobsPerSec: jobsPerSec,
      workerPeakRssMiB: report.maxRssBytes / 1024 / 1024,
      workerCpuMicrosPerJob: report.cpuMicros / total,
      redisCommandsPerJob: commands / total,
      redisCpuMicrosPerJob: ((cpu1 - cpu0) * 1e6) / total,
      commandsByName: byName,
    };
  } finally {
    await pool.close();
    await resetRedis(admin);
  }
}

/**
 * Enqueue-to-start latency at light load: one job every 2 ms to one idle worker process;
 * the worker measures from the producer's hrtime stamp to the start of the handler.
 * A warm-up period (not measured) comes first.
 */
export async function runLatency(ctx: WorkloadContext): Promise<RoundMetrics> {
  const { admin } = ctx.redis;
  await resetRedis(admin);
  const pool = await WorkerPool.open({
    system: ctx.adapter.name,
    url: ctx.redis.url,
    processes: 1,
    concurrency: CONCURRENCY,
    latency: true,
  });
  const producer = await ctx.adapter.producer(ctx.redis.url);
  try {
    pool.start();
    await sleep(300);
    let sent = 0;
    const pace = async (durationMs: number, stamp: boolean) => {
      const t0 = hrtimeMs();
      const pending: Promise<void>[] = [];
      for (let k = 0; ; k++) {
        const due = t0 + k * LATENCY_GAP_MS;
        if (due - t0 >= durationMs) break;
        const wait = due - hrtimeMs();
        if (wait > 0) await sleep(wait);
        pending.push(producer.add(stamp ? { i: sent, t: hrtimeMs() } : { i: sent }));
        sent++;
      }
      await Promise.all(pending);
    };
    await pace(ctx.latencyWarmupMs, false);
    await pace(ctx.latencyMs, true);
    await pool.waitForCompleted(sent, 30_000);
    const [report] = await pool.reports();
    const latencies = report!.latencies;
    return { latencyP50Ms: percentile(latencies, 50), latencyP99Ms: percentile(latencies, 99) };
  } finally {
    await producer.close();
    await pool.close();
    await resetRedis(admin);
  }
}

import type { Redis } from "ioredis";
import type { JobData } from "../adapters/types.js";
import { resetLatency, worstLatency } from "../latency-monitor.js";
import { PoolTimeoutError, WorkerPool } from "../workers.js";
import { CONCURRENCY, type NumericMetric, type RoundMetrics, type WorkloadContext } from "../workloads.js";
import { enqueueAll } from "./feed.js";

/**
 * Wait until `pool` completed `total` jobs, at most `timeoutMs`. Resolves `false` on a timeout
 * (the caller reports it instead of a number), `true` otherwise; other failures reject.
 */
export async function completedWithin(pool: WorkerPool, total: number, timeoutMs: number): Promise<boolean> {
  try {
    await pool.waitForCompleted(total, timeoutMs);
    return true;
  } catch (error) {
    if (!(error instanceof PoolTimeoutError)) throw error;
    console.error(`  ${error.message}`);
    return false;
  }
}

/** Forget the latency monitor's events: call right before the measured part of a workload. */
export const startStallWatch = (admin: Redis): Promise<void> => resetLatency(admin);

/** The worst latency-monitor event since {@link startStallWatch}, as `{ [key]: ms, stallEvents }`. */
export async function stallMetrics(admin: Redis, key: NumericMetric): Promise<RoundMetrics> {
  const worst = await worstLatency(admin);
  return { [key]: worst.ms, ...(worst.event ? { stallEvents: { [key]: worst.event } } : {}) };
}

/** The metrics of a workload that hit its bound: `key` timed out, and the stall seen until then. */
export async function timedOut(
  admin: Redis,
  key: NumericMetric,
  stallKey: NumericMetric,
): Promise<RoundMetrics> {
  return { timedOut: [key], ...(await stallMetrics(admin, stallKey)) };
}

/** One worker process of `ctx`'s system at {@link CONCURRENCY}; `scheduled`: it also promotes due jobs. */
export function openOneWorker(ctx: WorkloadContext, scheduled = false): Promise<WorkerPool> {
  return WorkerPool.open({
    system: ctx.adapter.name,
    url: ctx.redis.url,
    processes: 1,
    concurrency: CONCURRENCY,
    latency: false,
    ...(scheduled ? { scheduled: true } : {}),
  });
}

/** Enqueue `jobs` of `bytes` each (see {@link enqueueAll}) with a producer of `ctx`'s system, closed after. */
export async function enqueueWithProducer(ctx: WorkloadContext, jobs: readonly JobData[], bytes: number) {
  const producer = await ctx.adapter.producer(ctx.redis.url);
  try {
    await enqueueAll(producer, jobs, bytes);
  } finally {
    await producer.close();
  }
}

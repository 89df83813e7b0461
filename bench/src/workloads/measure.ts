import type { Redis } from "ioredis";
import { resetLatency, worstLatency } from "../latency-monitor.js";
import { PoolTimeoutError, type WorkerPool } from "../workers.js";
import type { NumericMetric, RoundMetrics } from "../workloads.js";

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

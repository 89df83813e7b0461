import { resetRedis } from "../redis.js";
import { percentile } from "../stats.js";
import type { RoundMetrics, WorkloadContext } from "../workloads.js";
import { completedWithin, openOneWorker, stallMetrics, startStallWatch, timedOut } from "./measure.js";

/** Jobs of the on-time workload (`--smoke`: 12). */
export const PROMOTE_LATE_JOBS = 40;
/** How far ahead each job is scheduled, ms. */
const AHEAD_MS = 1_000;
/** Gap between two schedule calls, ms: not a divisor of a 1 s poll, so due times fall at every phase of it. */
const GAP_MS = 97;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * On-time promotion at light load: an idle worker (1 process, concurrency 50) runs; one job every
 * 97 ms is scheduled 1 s ahead (single-job API: Verk `schedule`, BullMQ `add` with `delay`, bee-queue
 * `delayUntil`); the worker records, per job, ms from its due time to its handler's start (epoch
 * clock, one machine): p50 and p99.
 */
export async function runPromoteLate(ctx: WorkloadContext, jobs = PROMOTE_LATE_JOBS): Promise<RoundMetrics> {
  if (!ctx.adapter.features.schedule) return {};
  const { admin } = ctx.redis;
  await resetRedis(admin);
  const pool = await openOneWorker(ctx, true);
  const producer = await ctx.adapter.producer(ctx.redis.url);
  try {
    pool.start();
    await sleep(300);
    await startStallWatch(admin);
    for (let i = 0; i < jobs; i++) {
      const due = Date.now() + AHEAD_MS;
      await producer.schedule!({ data: { i, due }, at: due });
      await sleep(GAP_MS);
    }
    if (!(await completedWithin(pool, jobs, AHEAD_MS + 30_000)))
      return timedOut(admin, "promoteLateP99Ms", "promoteLateStallMs");
    const [report] = await pool.reports();
    return {
      promoteLateP50Ms: percentile(report!.lateness, 50),
      promoteLateP99Ms: percentile(report!.lateness, 99),
      ...(await stallMetrics(admin, "promoteLateStallMs")),
    };
  } finally {
    await producer.close();
    await pool.close();
    await resetRedis(admin);
  }
}

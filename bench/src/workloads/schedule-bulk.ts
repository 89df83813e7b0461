import { hrtimeMs } from "../clock.js";
import { resetRedis } from "../redis.js";
import type { RoundMetrics, WorkloadContext } from "../workloads.js";
import { scheduleAll } from "./feed.js";
import { stallMetrics, startStallWatch } from "./measure.js";

/** How far ahead the schedule-bulk workload schedules, ms (nothing becomes due during the run). */
const AHEAD_MS = 3_600_000;

/**
 * Bulk schedule: N jobs `{ i }` (`--jobs`) scheduled an hour ahead in calls of 1,000, one call at
 * a time (Verk `scheduleBulk([{ job, at }])`, BullMQ `addBulk` with `delay`, bee-queue `saveAll` of
 * `delayUntil` jobs); jobs/s, to compare with the bulk enqueue step. Systems without a bulk
 * schedule API are left out.
 */
export async function runScheduleBulk(ctx: WorkloadContext): Promise<RoundMetrics> {
  if (!ctx.adapter.features.schedule) return {};
  const { admin } = ctx.redis;
  await resetRedis(admin);
  const producer = await ctx.adapter.producer(ctx.redis.url);
  try {
    if (!producer.scheduleBulk) return {};
    const at = Date.now() + AHEAD_MS;
    const jobs = Array.from({ length: ctx.jobs }, (_, i) => ({ data: { i }, at }));
    await startStallWatch(admin);
    const t0 = hrtimeMs();
    await scheduleAll(producer, jobs, 0);
    const ms = hrtimeMs() - t0;
    return {
      scheduleBulkJobsPerSec: (ctx.jobs * 1000) / ms,
      ...(await stallMetrics(admin, "scheduleBulkStallMs")),
    };
  } finally {
    await producer.close();
    await resetRedis(admin);
  }
}

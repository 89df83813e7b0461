import { resetRedis } from "../redis.js";
import type { RoundMetrics, WorkloadContext } from "../workloads.js";
import { PAYLOAD_SIZES, payloadJobs, payloads } from "./feed.js";
import {
  completedWithin,
  enqueueWithProducer,
  openOneWorker,
  stallMetrics,
  startStallWatch,
  timedOut,
} from "./measure.js";

/**
 * Retry storm: N waiting jobs with 2 KB args (20,000 at `--jobs` 50,000), each failing on its
 * first run and succeeding on its retry, which is due at once (Verk `backoff: () => 0`, BullMQ
 * `attempts: 2` without backoff, bee-queue `retries(1)` with `immediate` backoff). One worker at
 * concurrency 50; jobs/s = N / (start signal to the Nth success).
 */
export async function runRetryStorm(ctx: WorkloadContext): Promise<RoundMetrics> {
  const { admin } = ctx.redis;
  const bytes = PAYLOAD_SIZES["2k"];
  const count = payloadJobs("2k", ctx.jobs);
  if (!ctx.adapter.features.retryAtOnce) return {};
  await resetRedis(admin);
  await enqueueWithProducer(ctx, payloads(count, bytes, { failOnce: true }), bytes);
  const pool = await openOneWorker(ctx, true);
  try {
    await startStallWatch(admin);
    pool.start();
    if (!(await completedWithin(pool, count, 60_000 + count * 20)))
      return timedOut(admin, "retryStormJobsPerSec", "retryStormStallMs");
    const [report] = await pool.reports();
    const ms = report!.lastDoneAt - report!.startAt;
    return { retryStormJobsPerSec: (count * 1000) / ms, ...(await stallMetrics(admin, "retryStormStallMs")) };
  } finally {
    await pool.close();
    await resetRedis(admin);
  }
}

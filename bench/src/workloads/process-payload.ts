import { resetRedis } from "../redis.js";
import type { NumericMetric, RoundMetrics, WorkloadContext } from "../workloads.js";
import { PAYLOAD_SIZES, type PayloadSize, payloadJobs, payloads } from "./feed.js";
import {
  completedWithin,
  enqueueWithProducer,
  openOneWorker,
  stallMetrics,
  startStallWatch,
  timedOut,
} from "./measure.js";

const KEYS: Record<PayloadSize, { rate: NumericMetric; stall: NumericMetric }> = {
  "2k": { rate: "processArgs2kJobsPerSec", stall: "processArgs2kStallMs" },
  "20k": { rate: "processArgs20kJobsPerSec", stall: "processArgs20kStallMs" },
  "200k": { rate: "processArgs200kJobsPerSec", stall: "processArgs200kStallMs" },
};

/**
 * Process N waiting jobs whose args carry `size` of data (2 KB: 20,000 jobs, 20 KB: 3,000,
 * 200 KB: 300 at `--jobs` 50,000) with one worker process at concurrency 50: jobs/s from the
 * start signal to the Nth completion, and the worst Redis latency event meanwhile.
 */
export async function runProcessPayload(ctx: WorkloadContext, size: PayloadSize): Promise<RoundMetrics> {
  const { admin } = ctx.redis;
  const keys = KEYS[size];
  const bytes = PAYLOAD_SIZES[size];
  const count = payloadJobs(size, ctx.jobs);
  await resetRedis(admin);
  await enqueueWithProducer(ctx, payloads(count, bytes), bytes);
  const pool = await openOneWorker(ctx);
  try {
    await startStallWatch(admin);
    pool.start();
    if (!(await completedWithin(pool, count, 60_000 + count * 20)))
      return timedOut(admin, keys.rate, keys.stall);
    const [report] = await pool.reports();
    const ms = report!.lastDoneAt - report!.startAt;
    return { [keys.rate]: (count * 1000) / ms, ...(await stallMetrics(admin, keys.stall)) };
  } finally {
    await pool.close();
    await resetRedis(admin);
  }
}

import { resetRedis } from "../redis.js";
import type { NumericMetric, RoundMetrics, WorkloadContext } from "../workloads.js";
import { PAYLOAD_SIZES, type PayloadSize, payloadJobs, payloads, scheduleAll } from "./feed.js";
import { completedWithin, openOneWorker, stallMetrics, startStallWatch, timedOut } from "./measure.js";

const KEYS: Record<PayloadSize, { done: NumericMetric; stall: NumericMetric }> = {
  "2k": { done: "dueAtOnce2kMs", stall: "dueAtOnce2kStallMs" },
  "20k": { done: "dueAtOnce20kMs", stall: "dueAtOnce20kStallMs" },
  "200k": { done: "dueAtOnce200kMs", stall: "dueAtOnce200kStallMs" },
};

/** Lead of the due instant over the start of the writes, ms: 2 s plus the writes at >= 20 MB/s. */
export function dueLeadMs(count: number, bytes: number): number {
  return 2_000 + Math.ceil((count * bytes) / 20_000);
}

/**
 * N jobs due at one instant (2 KB: 20,000, 20 KB: 3,000, 200 KB: 300 at `--jobs` 50,000):
 * an idle worker (1 process, concurrency 50) runs, every job is scheduled (bulk API) for the same
 * time a couple of seconds ahead (Verk `scheduleBulk`, BullMQ `addBulk` with `delay`, bee-queue
 * `delayUntil`); measured: ms from that instant until the last job completed, and the worst Redis
 * latency event from the end of the writes until then.
 */
export async function runDueAtOnce(ctx: WorkloadContext, size: PayloadSize): Promise<RoundMetrics> {
  if (!ctx.adapter.features.schedule) return {};
  const { admin } = ctx.redis;
  const keys = KEYS[size];
  const bytes = PAYLOAD_SIZES[size];
  const count = payloadJobs(size, ctx.jobs);
  await resetRedis(admin);
  const pool = await openOneWorker(ctx, true);
  try {
    pool.start();
    const due = Date.now() + dueLeadMs(count, bytes);
    const producer = await ctx.adapter.producer(ctx.redis.url);
    try {
      await scheduleAll(
        producer,
        payloads(count, bytes, { due }).map((data) => ({ data, at: due })),
        bytes,
      );
    } finally {
      await producer.close();
    }
    const late = Date.now() - due;
    if (late > 0) console.error(`  the writes ended ${late} ms after the due instant: the time is too short`);
    await startStallWatch(admin);
    if (!(await completedWithin(pool, count, Math.max(0, due - Date.now()) + 60_000 + count * 20)))
      return timedOut(admin, keys.done, keys.stall);
    const [report] = await pool.reports();
    const early = Math.min(...report!.lateness);
    if (early < -50) console.error(`  a job started ${-early} ms before its due time`);
    return { [keys.done]: report!.lastDoneEpochMs - due, ...(await stallMetrics(admin, keys.stall)) };
  } finally {
    await pool.close();
    await resetRedis(admin);
  }
}

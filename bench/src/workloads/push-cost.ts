import { randomBytes } from "node:crypto";
import { redisStore } from "@verk/redis-store";
import { Redis } from "ioredis";
import { hrtimeMs } from "../clock.js";
import { redisCpuSeconds, resetRedis } from "../redis.js";
import { BULK_CHUNK, ENQUEUE_IN_FLIGHT, type RoundMetrics, type WorkloadContext } from "../workloads.js";

/** One way of pushing a batch of raw payloads onto queue `q`. */
type Push = (raws: string[]) => Promise<unknown>;

function payload(i: number): string {
  const now = Date.now() / 1000;
  return JSON.stringify({
    class: "Bench",
    args: [{ i }],
    jid: randomBytes(12).toString("hex"),
    queue: "q",
    retry: true,
    created_at: now,
    enqueued_at: now,
  });
}

/**
 * Plain pushes coalesced like the store's: the payloads of one event-loop turn go out as one
 * `LPUSH` + `SADD`, so against the store's push this isolates the cost of the batch token.
 */
function batchedPlain(plain: Redis): Push {
  let pending: { raws: string[]; done: Promise<unknown> } | undefined;
  return (raws) => {
    if (pending === undefined) {
      const batch: string[] = [];
      const done = new Promise<unknown>((resolve, reject) => {
        setImmediate(() => {
          pending = undefined;
          Promise.all([plain.lpush("queue:q", ...batch), plain.sadd("queues", "q")]).then(resolve, reject);
        });
      });
      pending = { raws: batch, done };
    }
    pending.raws.push(...raws);
    return pending.done;
  };
}

/** `jobs` single-payload pushes, 50 awaited loops at once (the enqueue 1-by-1 shape). */
async function oneByOne(push: Push, raws: string[]): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < raws.length) await push([raws[next++]!]);
  };
  await Promise.all(Array.from({ length: ENQUEUE_IN_FLIGHT }, loop));
}

/** Calls of 1,000 payloads, one at a time (the bulk shape). */
async function bulk(push: Push, raws: string[]): Promise<void> {
  for (let i = 0; i < raws.length; i += BULK_CHUNK) await push(raws.slice(i, i + BULK_CHUNK));
}

/** jobs/s of `shape`, and Redis CPU µs per job, from an empty Redis. */
async function measure(
  ctx: WorkloadContext,
  push: Push,
  shape: (push: Push, raws: string[]) => Promise<void>,
): Promise<{ jobsPerSec: number; redisMicrosPerJob: number }> {
  await resetRedis(ctx.redis.admin);
  const raws = Array.from({ length: ctx.jobs }, (_, i) => payload(i));
  const cpu0 = await redisCpuSeconds(ctx.redis.admin);
  const t0 = hrtimeMs();
  await shape(push, raws);
  const ms = hrtimeMs() - t0;
  const cpu = (await redisCpuSeconds(ctx.redis.admin)) - cpu0;
  const stored = await ctx.redis.admin.llen("queue:q");
  if (stored !== ctx.jobs) throw new Error(`push cost: ${stored} of ${ctx.jobs} jobs stored`);
  return { jobsPerSec: (ctx.jobs * 1000) / ms, redisMicrosPerJob: (cpu * 1e6) / ctx.jobs };
}

/**
 * Cost of the idempotent batch push (issue #11 item 8, Verk only): the store's `push` (one script
 * call per queue and event-loop turn that claims a batch token with `SET NX PX` next to the LPUSH
 * + SADD, and deletes the tokens of answered batches) against plain `LPUSH` + `SADD` of the same
 * payloads on an auto-pipelined ioredis connection: coalesced per turn as the store does (the
 * token's own cost), and one pair per job (a naive producer); in the enqueue 1-by-1 shape (50 in
 * flight) and the bulk shape (1,000 per call). jobs/s and Redis CPU µs per job, same run.
 */
export async function runPushCost(ctx: WorkloadContext): Promise<RoundMetrics> {
  const store = redisStore({ url: ctx.redis.url, sidekiqProcess: false });
  const plain = new Redis(ctx.redis.url, { enableAutoPipelining: true });
  try {
    await store.connect();
    const token: Push = (raws) => store.push(raws.map((raw) => ({ queue: "q", raw })));
    const lpush: Push = (raws) => Promise.all([plain.lpush("queue:q", ...raws), plain.sadd("queues", "q")]);
    await bulk(token, [payload(0)]); // warm up both connections and the script cache
    await bulk(lpush, [payload(0)]);
    const batched = batchedPlain(plain);
    const tokenOne = await measure(ctx, token, oneByOne);
    const batchedOne = await measure(ctx, batched, oneByOne);
    const plainOne = await measure(ctx, lpush, oneByOne);
    const tokenBulk = await measure(ctx, token, bulk);
    const plainBulk = await measure(ctx, lpush, bulk);
    return {
      pushTokenOneJobsPerSec: tokenOne.jobsPerSec,
      pushBatchedOneJobsPerSec: batchedOne.jobsPerSec,
      pushPlainOneJobsPerSec: plainOne.jobsPerSec,
      pushTokenBulkJobsPerSec: tokenBulk.jobsPerSec,
      pushPlainBulkJobsPerSec: plainBulk.jobsPerSec,
      pushTokenOneRedisCpuMicrosPerJob: tokenOne.redisMicrosPerJob,
      pushBatchedOneRedisCpuMicrosPerJob: batchedOne.redisMicrosPerJob,
      pushTokenBulkRedisCpuMicrosPerJob: tokenBulk.redisMicrosPerJob,
      pushPlainBulkRedisCpuMicrosPerJob: plainBulk.redisMicrosPerJob,
    };
  } finally {
    await store.close();
    plain.disconnect();
    await resetRedis(ctx.redis.admin);
  }
}

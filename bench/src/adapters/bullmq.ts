import { type JobsOptions, Queue, Worker } from "bullmq";
import {
  type Consumer,
  type ConsumerHooks,
  type ConsumerOptions,
  FAIL_ONCE_MESSAGE,
  hostPort,
  type JobData,
  type Producer,
  QUEUE,
  type ScheduledJob,
  type SystemAdapter,
} from "./types.js";

/** Job options of `data`: a `failOnce` job gets 2 attempts (no backoff: the retry waits at once). */
function options(data: JobData, at?: number): JobsOptions | undefined {
  const delay = at === undefined ? undefined : Math.max(0, at - Date.now());
  if (!data.failOnce && delay === undefined) return undefined;
  return { ...(data.failOnce ? { attempts: 2 } : {}), ...(delay === undefined ? {} : { delay }) };
}

/**
 * BullMQ 6.7: `add` / `addBulk` (with `delay` to schedule: BullMQ has no absolute time); a `Worker`
 * with `removeOnComplete: { count: 0 }`.
 */
export const bullmqAdapter: SystemAdapter = {
  name: "bullmq",
  label: "BullMQ 6.7.0",
  features: { schedule: true, retryAtOnce: true },
  async producer(url: string): Promise<Producer> {
    const queue = new Queue(QUEUE, { connection: hostPort(url) });
    await queue.waitUntilReady();
    return {
      async add(data: JobData) {
        await queue.add("noop", data, options(data));
      },
      async addBulk(items: JobData[]) {
        await queue.addBulk(items.map((data) => ({ name: "noop", data, opts: options(data) })));
      },
      async schedule({ data, at }: ScheduledJob) {
        await queue.add("noop", data, options(data, at));
      },
      async scheduleBulk(items: ScheduledJob[]) {
        await queue.addBulk(items.map(({ data, at }) => ({ name: "noop", data, opts: options(data, at) })));
      },
      close: () => queue.close(),
    };
  },
  async consumer(url: string, { concurrency }: ConsumerOptions, hooks: ConsumerHooks): Promise<Consumer> {
    const worker = new Worker(
      QUEUE,
      async (job) => {
        const data = job.data as JobData;
        hooks.onStart(data);
        if (data.failOnce && job.attemptsMade === 0) throw new Error(FAIL_ONCE_MESSAGE);
      },
      {
        connection: { ...hostPort(url), maxRetriesPerRequest: null },
        concurrency,
        autorun: false,
        removeOnComplete: { count: 0 },
      },
    );
    worker.on("completed", () => hooks.onDone());
    worker.on("error", () => {});
    await worker.waitUntilReady();
    return {
      start() {
        worker.run().catch(() => {});
      },
      close: () => worker.close(),
    };
  },
};

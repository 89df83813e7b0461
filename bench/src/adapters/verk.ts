import { createVerk, defineWorker, type JobContext, type NewJob, type Verk } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import {
  type Consumer,
  type ConsumerHooks,
  type ConsumerOptions,
  FAIL_ONCE_MESSAGE,
  type JobData,
  type Producer,
  QUEUE,
  type ScheduledJob,
  type SystemAdapter,
} from "./types.js";

const CLASS = "BenchNoop";

/** The job of `data`; a `failOnce` job allows exactly one retry. */
function job(data: JobData): NewJob {
  return data.failOnce
    ? { class: CLASS, queue: QUEUE, args: [data], retry: 1 }
    : { class: CLASS, queue: QUEUE, args: [data] };
}

/**
 * Verk: `enqueue` / `enqueueBulk` / `schedule` / `scheduleBulk` on a producer-only instance; a node
 * running queue `bench` whose worker retries without delay (`backoff: () => 0`); the built-in
 * due-job poller (1 s) promotes scheduled jobs and retries.
 */
export const verkAdapter: SystemAdapter = {
  name: "verk",
  label: "Verk (this repo)",
  features: { schedule: true, retryAtOnce: true },
  async producer(url: string): Promise<Producer> {
    const verk = createVerk({ store: redisStore({ url }) });
    await verk.connect();
    return {
      async add(data: JobData) {
        await verk.enqueue(job(data));
      },
      async addBulk(items: JobData[]) {
        await verk.enqueueBulk(items.map(job));
      },
      async schedule({ data, at }: ScheduledJob) {
        await verk.schedule(job(data), at);
      },
      async scheduleBulk(items: ScheduledJob[]) {
        await verk.scheduleBulk(items.map(({ data, at }) => ({ job: job(data), at })));
      },
      close: () => verk.stop(),
    };
  },
  async consumer(url: string, options: ConsumerOptions, hooks: ConsumerHooks): Promise<Consumer> {
    const noop = defineWorker(
      CLASS,
      async function (this: JobContext, data: JobData) {
        hooks.onStart(data);
        if (data.failOnce && this.retryCount === undefined) throw new Error(FAIL_ONCE_MESSAGE);
      },
      { backoff: () => 0 },
    );
    const verk: Verk = createVerk({
      store: redisStore({ url }),
      queues: { [QUEUE]: options.concurrency },
      workers: [noop],
      logLevel: "error",
    });
    // Counted in job:finished: emitted only after the ack reached Redis (successes only).
    verk.on("job:finished", () => hooks.onDone());
    await verk.connect();
    return {
      start: () => verk.start(),
      close: () => verk.stop({ timeout: 1_000 }),
    };
  },
};

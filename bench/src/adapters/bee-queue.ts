import BeeQueue from "bee-queue";
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

/**
 * bee-queue 2.0: `createJob().save()` / `saveAll` (`delayUntil` to schedule, `retries(1)` with the
 * default `immediate` backoff for a `failOnce` job); a worker queue with `removeOnSuccess: true`,
 * and `activateDelayedJobs: true` in the scheduled workloads.
 */
export const beeQueueAdapter: SystemAdapter = {
  name: "bee-queue",
  label: "bee-queue 2.0.0",
  features: { schedule: true, retryAtOnce: true },
  async producer(url: string): Promise<Producer> {
    // The README's producer advice: no worker, no events, do not keep job objects.
    const queue = new BeeQueue(QUEUE, {
      redis: hostPort(url),
      isWorker: false,
      getEvents: false,
      storeJobs: false,
    });
    await queue.ready();
    const create = (data: JobData, at?: number) => {
      const job = queue.createJob(data);
      if (data.failOnce) job.retries(1);
      if (at !== undefined) job.delayUntil(at);
      return job;
    };
    const saveAll = async (jobs: BeeQueue.Job<JobData>[]) => {
      const errors = await queue.saveAll(jobs);
      if (errors.size > 0) throw [...errors.values()][0];
    };
    return {
      async add(data: JobData) {
        await create(data).save();
      },
      addBulk: (items: JobData[]) => saveAll(items.map((data) => create(data))),
      async schedule({ data, at }: ScheduledJob) {
        await create(data, at).save();
      },
      scheduleBulk: (items: ScheduledJob[]) => saveAll(items.map(({ data, at }) => create(data, at))),
      close: () => queue.close(),
    };
  },
  async consumer(url: string, options: ConsumerOptions, hooks: ConsumerHooks): Promise<Consumer> {
    const queue = new BeeQueue(QUEUE, {
      redis: hostPort(url),
      removeOnSuccess: true,
      getEvents: false,
      activateDelayedJobs: options.scheduled,
    });
    queue.on("succeeded", () => hooks.onDone());
    queue.on("error", () => {});
    await queue.ready();
    return {
      start() {
        queue.process(options.concurrency, async (job: BeeQueue.Job<JobData>) => {
          hooks.onStart(job.data);
          // retries(1) is decremented when the first run fails, so the retry sees 0.
          if (job.data.failOnce && (job.options.retries ?? 0) > 0) throw new Error(FAIL_ONCE_MESSAGE);
        });
      },
      close: () => queue.close(1_000),
    };
  },
};

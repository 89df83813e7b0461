import BeeQueue from "bee-queue";
import {
  type Consumer,
  type ConsumerHooks,
  hostPort,
  type JobData,
  type Producer,
  QUEUE,
  type SystemAdapter,
} from "./types.js";

/** bee-queue 2.0: `createJob().save()` / `saveAll`; a worker queue with `removeOnSuccess: true`. */
export const beeQueueAdapter: SystemAdapter = {
  name: "bee-queue",
  label: "bee-queue 2.0.0",
  async producer(url: string): Promise<Producer> {
    // The README's producer advice: no worker, no events, do not keep job objects.
    const queue = new BeeQueue(QUEUE, {
      redis: hostPort(url),
      isWorker: false,
      getEvents: false,
      storeJobs: false,
    });
    await queue.ready();
    return {
      async add(data: JobData) {
        await queue.createJob(data).save();
      },
      async addBulk(items: JobData[]) {
        const errors = await queue.saveAll(items.map((data) => queue.createJob(data)));
        if (errors.size > 0) throw [...errors.values()][0];
      },
      close: () => queue.close(),
    };
  },
  async consumer(url: string, concurrency: number, hooks: ConsumerHooks): Promise<Consumer> {
    const queue = new BeeQueue(QUEUE, { redis: hostPort(url), removeOnSuccess: true, getEvents: false });
    queue.on("succeeded", () => hooks.onDone());
    queue.on("error", () => {});
    await queue.ready();
    return {
      start() {
        queue.process(concurrency, async (job: BeeQueue.Job<JobData>) => {
          hooks.onStart(job.data);
        });
      },
      close: () => queue.close(1_000),
    };
  },
};

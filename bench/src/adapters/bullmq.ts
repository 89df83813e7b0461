import { Queue, Worker } from "bullmq";
import {
  type Consumer,
  type ConsumerHooks,
  hostPort,
  type JobData,
  type Producer,
  QUEUE,
  type SystemAdapter,
} from "./types.js";

/** BullMQ 6.7: `add` / `addBulk`; a `Worker` with `removeOnComplete: { count: 0 }`. */
export const bullmqAdapter: SystemAdapter = {
  name: "bullmq",
  label: "BullMQ 6.7.0",
  async producer(url: string): Promise<Producer> {
    const queue = new Queue(QUEUE, { connection: hostPort(url) });
    await queue.waitUntilReady();
    return {
      async add(data: JobData) {
        await queue.add("noop", data);
      },
      async addBulk(items: JobData[]) {
        await queue.addBulk(items.map((data) => ({ name: "noop", data })));
      },
      close: () => queue.close(),
    };
  },
  async consumer(url: string, concurrency: number, hooks: ConsumerHooks): Promise<Consumer> {
    const worker = new Worker(
      QUEUE,
      async (job) => {
        hooks.onStart(job.data as JobData);
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

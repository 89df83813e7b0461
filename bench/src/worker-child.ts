/**
 * The worker process: one system's consumer, forked by the bench. Protocol (IPC messages):
 * parent `init` → child `ready`; parent `start` → child sends `progress` (completed count)
 * every 20 ms; parent `report` → child `report`; parent `stop` → the child closes and exits.
 */
import { adapterFor } from "./adapters/index.js";
import type { Consumer, JobData, SystemName } from "./adapters/types.js";
import { hrtimeMs } from "./clock.js";

/** First message from the parent. */
export interface InitMessage {
  type: "init";
  system: SystemName;
  url: string;
  concurrency: number;
  /** Record enqueue-to-start latencies (the latency workload). */
  latency: boolean;
  /** The workload schedules jobs (see `ConsumerOptions.scheduled`). */
  scheduled: boolean;
}

/** What the child reports at the end. */
export interface WorkerReport {
  type: "report";
  /** hrtime ms when `start` arrived. */
  startAt: number;
  /** hrtime ms of the last completion. */
  lastDoneAt: number;
  count: number;
  /** Peak resident set size, bytes. */
  maxRssBytes: number;
  /** CPU time of this process (user + system) since `start`, µs. */
  cpuMicros: number;
  /** Enqueue-to-start latencies, ms (latency workload only). */
  latencies: number[];
  /** Epoch ms of the last completion. */
  lastDoneEpochMs: number;
  /** For each started job with a `due` time: how late it started (start epoch ms - due), ms. */
  lateness: number[];
}

type ParentMessage = InitMessage | { type: "start" } | { type: "report" } | { type: "stop" };

let consumer: Consumer | undefined;
let count = 0;
let reported = 0;
let startAt = 0;
let lastDoneAt = 0;
let lastDoneEpochMs = 0;
let cpuAtStart: NodeJS.CpuUsage | undefined;
let record = false;
const latencies: number[] = [];
const lateness: number[] = [];
let ticker: NodeJS.Timeout | undefined;

function send(message: unknown): void {
  process.send?.(message);
}

async function handle(message: ParentMessage): Promise<void> {
  switch (message.type) {
    case "init": {
      record = message.latency;
      const options = { concurrency: message.concurrency, scheduled: message.scheduled };
      const started = new Set<number>();
      consumer = await adapterFor(message.system).consumer(message.url, options, {
        onStart(data: JobData) {
          if (record && data.t !== undefined) latencies.push(hrtimeMs() - data.t);
          // Only a job's first start counts (a retried job starts twice).
          if (data.due !== undefined && !started.has(data.i)) {
            started.add(data.i);
            lateness.push(Date.now() - data.due);
          }
        },
        onDone() {
          count++;
          lastDoneAt = hrtimeMs();
          lastDoneEpochMs = Date.now();
        },
      });
      send({ type: "ready" });
      return;
    }
    case "start":
      startAt = hrtimeMs();
      cpuAtStart = process.cpuUsage();
      ticker = setInterval(() => {
        if (count !== reported) {
          reported = count;
          send({ type: "progress", count });
        }
      }, 20);
      await consumer!.start();
      return;
    case "report": {
      const cpu = process.cpuUsage(cpuAtStart);
      const report: WorkerReport = {
        type: "report",
        startAt,
        lastDoneAt,
        count,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        cpuMicros: cpu.user + cpu.system,
        latencies,
        lastDoneEpochMs,
        lateness,
      };
      send(report);
      return;
    }
    case "stop":
      clearInterval(ticker);
      await consumer?.close().catch(() => {});
      process.disconnect?.();
      setTimeout(() => process.exit(0), 50).unref();
      return;
  }
}

process.on("message", (message: ParentMessage) => {
  handle(message).catch((error: unknown) => {
    send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});

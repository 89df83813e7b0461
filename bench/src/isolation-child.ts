/**
 * The node of the isolation workloads, forked by the bench. Protocol (IPC): parent `init`
 * (queues) → child `ready`; parent `start` → the node starts; parent `report` → child `report`
 * (latencies of `Probe` jobs, finished counts and hrtime of the first start and last finish per
 * class); parent `stop` → the node stops and the process exits.
 */
import { fileURLToPath } from "node:url";
import {
  createVerk,
  defineWorker,
  type LivenessOptions,
  type QueueOptions,
  type Verk,
  type WorkerDefinition,
} from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { hrtimeMs } from "./clock.js";

/** First message from the parent. */
export interface IsolationInit {
  type: "init";
  url: string;
  queues: Record<string, number | QueueOptions>;
  /** Liveness settings and node id (heartbeat workload). (Default: Verk's) */
  liveness?: LivenessOptions;
  nodeId?: string;
  /** Other `redisStore` options (structured-clonable, e.g. `cluster`, `waitReplicas`); `url` is used when absent. */
  store?: Record<string, unknown>;
}

/** What the child reports. */
export interface IsolationReport {
  type: "report";
  /** Enqueue-to-start of `Probe` jobs (in-process queue `probe`), ms. */
  probeLatencies: number[];
  /** Per class: jobs finished, hrtime ms of the first `job:started` and of the last `job:finished`. */
  classes: Record<string, { finished: number; firstStart: number; lastFinish: number }>;
}

const WORKER_MODULE = fileURLToPath(new URL("./isolation-workers.mjs", import.meta.url));
let verk: Verk | undefined;
const probeLatencies: number[] = [];
const classes: IsolationReport["classes"] = {};

const Probe = defineWorker(
  "Probe",
  (data: { t: number }) => {
    probeLatencies.push(hrtimeMs() - data.t);
  },
  { queue: "probe" },
);

function entry(name: string) {
  classes[name] ??= { finished: 0, firstStart: 0, lastFinish: 0 };
  return classes[name]!;
}

async function handle(message: IsolationInit | { type: "start" | "report" | "stop" }): Promise<void> {
  if (message.type === "init") {
    // The same definitions run in-process (registered here) and in the threads (workerModule).
    const shared = (await import(new URL("./isolation-workers.mjs", import.meta.url).href)) as Record<
      string,
      WorkerDefinition<never>
    >;
    verk = createVerk({
      store: redisStore(message.store ?? { url: message.url }),
      queues: message.queues,
      workers: [
        shared.IsoHog!,
        shared.IsoBlock!,
        shared.IsoSpin!,
        shared.IsoNoop!,
        Probe as WorkerDefinition<never>,
      ],
      ...(message.liveness ? { liveness: message.liveness } : {}),
      ...(message.nodeId ? { nodeId: message.nodeId } : {}),
      workerModule: WORKER_MODULE,
      logLevel: "error",
      blockWarningMs: 0,
      pollIntervalMs: 0,
    });
    verk.on("job:started", ({ job }) => {
      const e = entry(job.class);
      if (e.firstStart === 0) e.firstStart = hrtimeMs();
    });
    verk.on("job:finished", ({ job }) => {
      const e = entry(job.class);
      e.finished++;
      e.lastFinish = hrtimeMs();
    });
    await verk.connect();
    process.send?.({ type: "ready" });
  } else if (message.type === "start") {
    await verk!.start();
    process.send?.({ type: "started" });
  } else if (message.type === "report") {
    const report: IsolationReport = { type: "report", probeLatencies, classes };
    process.send?.(report);
  } else {
    await verk?.stop({ timeout: 0 }).catch(() => {});
    process.disconnect?.();
    setTimeout(() => process.exit(0), 50).unref();
  }
}

process.on("message", (message: IsolationInit | { type: "start" | "report" | "stop" }) => {
  handle(message).catch((error: unknown) => {
    process.send?.({
      type: "error",
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  });
});

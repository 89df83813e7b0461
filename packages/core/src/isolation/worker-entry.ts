/**
 * The entry of every thread and child process of an isolated queue (built to
 * `dist/isolation-worker.js`). It imports the worker module, reports its workers, then runs the
 * jobs the pool sends, each with the same `JobContext` as in-process, and reports outcomes and
 * log calls back in batches. See `protocol.ts`. @internal
 */
import { parentPort, workerData } from "node:worker_threads";
import { UnknownWorkerError } from "../errors.js";
import type { JobPayload } from "../job.js";
import { JobContextBase } from "../job-context-base.js";
import type { Logger } from "../logger.js";
import { describeError } from "../retry.js";
import type { JobContext, WorkerDefinition } from "../worker.js";
import { collectWorkers } from "./module-workers.js";
import type {
  FailReport,
  InitData,
  LogReport,
  OrderBatch,
  ResultBatch,
  WorkerInfo,
  WorkerMessage,
} from "./protocol.js";
import { serializeError } from "./protocol.js";

type AnyWorker = WorkerDefinition<never>;

const port = parentPort;
const init: InitData = port ? (workerData as InitData) : JSON.parse(process.argv[2] ?? "{}");

function send(message: WorkerMessage, then?: () => void): void {
  if (port) {
    port.postMessage(message);
    then?.();
  } else if (process.connected) {
    process.send!(message, undefined, {}, () => then?.());
  } else then?.();
}

const workers = new Map<string, AnyWorker>();
const contexts = new Map<number, ThreadJobContext>();
let done: number[] = [];
let fail: FailReport[] = [];
let log: LogReport[] = [];
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  if (done.length === 0 && fail.length === 0 && log.length === 0) return;
  const batch: { -readonly [K in keyof ResultBatch]: ResultBatch[K] } = { t: "results" };
  if (done.length > 0) batch.done = done;
  if (fail.length > 0) batch.fail = fail;
  if (log.length > 0) batch.log = log;
  done = [];
  fail = [];
  log = [];
  send(batch);
}

function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flush);
}

/** Fields as JSON can carry them; errors in pino's `err` shape. */
function jsonSafe(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(
      JSON.stringify(fields, (_key, value) =>
        value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value,
      ),
    );
  } catch {
    return { unserialisable: true };
  }
}

function forwardingLogger(base: Record<string, unknown>): Logger {
  const at =
    (level: LogReport[0]) =>
    (first: Record<string, unknown> | string, second?: string): void => {
      const [fields, message] = typeof first === "string" ? [{}, first] : [first ?? {}, second ?? ""];
      log.push([level, String(message), jsonSafe({ ...base, ...fields })]);
      scheduleFlush();
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } as Logger;
}

const NO_CARRIER: Readonly<Record<string, string>> = Object.freeze({});

/** `this` of a handler inside the thread or process: the same fields as in-process. */
class ThreadJobContext extends JobContextBase implements JobContext {
  readonly job: JobPayload;
  readonly queue: string;
  readonly carrier: Readonly<Record<string, string>>;
  #logger: Logger | undefined;

  constructor(job: JobPayload, queue: string, carrier: Readonly<Record<string, string>>) {
    super();
    this.job = job;
    this.queue = queue;
    this.carrier = carrier;
  }
  get logger(): Logger {
    this.#logger ??= forwardingLogger({ queue: this.queue, class: this.job.class, jid: this.job.jid });
    return this.#logger;
  }
}

/** Seconds the worker's own `backoff` picks for this failure, or null (default backoff). */
function customBackoff(worker: AnyWorker | undefined, job: JobPayload, error: unknown): number | null {
  const backoff = worker?.options.backoff;
  if (!backoff) return null;
  const count = typeof job.retry_count === "number" ? job.retry_count + 1 : 0;
  const { errorClass, message } = describeError(error);
  try {
    const seconds = backoff(count, error, {
      ...job,
      retry_count: count,
      error_class: errorClass,
      error_message: message,
    });
    return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
  } catch {
    return null;
  }
}

function failed(
  id: number,
  error: unknown,
  worker: AnyWorker | undefined,
  job: JobPayload | undefined,
): void {
  if (!contexts.delete(id) && job !== undefined) return;
  fail.push([id, serializeError(error), job ? customBackoff(worker, job, error) : null]);
  scheduleFlush();
}

function run(id: number, text: string, carrier: Readonly<Record<string, string>> = NO_CARRIER): void {
  let job: JobPayload;
  try {
    job = JSON.parse(text) as JobPayload;
  } catch (error) {
    failed(id, error, undefined, undefined);
    return;
  }
  const worker =
    workers.get(job.class) ?? (typeof job.wrapped === "string" ? workers.get(job.wrapped) : undefined);
  const ctx = new ThreadJobContext(job, init.queue, carrier);
  contexts.set(id, ctx);
  if (!worker) {
    failed(id, new UnknownWorkerError(job.class), undefined, job);
    return;
  }
  const ok = () => {
    if (!contexts.delete(id)) return;
    done.push(id);
    scheduleFlush();
  };
  try {
    const result = (worker.perform as (this: JobContext, ...args: unknown[]) => unknown).apply(
      ctx,
      Array.isArray(job.args) ? job.args : [],
    );
    if (result !== null && typeof (result as PromiseLike<unknown>)?.then === "function") {
      (result as PromiseLike<unknown>).then(ok, (error: unknown) => failed(id, error, worker, job));
    } else ok();
  } catch (error) {
    failed(id, error, worker, job);
  }
}

function onOrders(batch: OrderBatch): void {
  if (batch.abort) {
    for (const [id, message] of batch.abort) {
      const error = new Error(message);
      error.name = "JobTimeoutError";
      contexts.get(id)?.abort(error);
    }
  }
  if (batch.run) for (const [id, text, carrier] of batch.run) run(id, text, carrier);
}

function fatal(kind: "uncaught exception" | "unhandled rejection", error: unknown): void {
  flush();
  send({ t: "fatal", kind, error: serializeError(error) }, () => process.exit(1));
}

process.on("uncaughtException", (error) => fatal("uncaught exception", error));
process.on("unhandledRejection", (reason) => fatal("unhandled rejection", reason));

async function main(): Promise<void> {
  let exported: unknown;
  try {
    exported = await import(init.moduleUrl);
  } catch (error) {
    send({ t: "ready", error: serializeError(error), problem: "import" });
    return;
  }
  for (const worker of collectWorkers(exported))
    if (!workers.has(worker.name)) workers.set(worker.name, worker);
  if (workers.size === 0) {
    send({
      t: "ready",
      error: serializeError(new Error("exports no defineWorker() result")),
      problem: "empty",
    });
    return;
  }
  const infos: WorkerInfo[] = [...workers.values()].map((w) => ({
    name: w.name,
    queue: w.options.queue,
    retry: w.options.retry,
    timeout: w.options.timeout,
    backoff: typeof w.options.backoff === "function",
    limit: w.options.limit && {
      concurrency: w.options.limit.concurrency,
      rate: w.options.limit.rate,
      per: w.options.limit.per,
      keyed: typeof w.options.limit.key === "function",
    },
  }));
  if (port) port.on("message", onOrders);
  else {
    process.on("message", onOrders);
    process.on("disconnect", () => process.exit(0));
  }
  send({ t: "ready", workers: infos });
}

void main();

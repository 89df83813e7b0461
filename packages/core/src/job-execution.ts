import type { RunnerContext } from "./context.js";
import { JobTimeoutError, UnknownWorkerError } from "./errors.js";
import { generateJid } from "./ids.js";
import { type JobPayload, parsePayload } from "./job.js";
import { runInJobScope } from "./job-scope.js";
import { persist } from "./persist.js";
import { planFailure } from "./retry.js";
import { nowSeconds } from "./time.js";
import type { JobContext, WorkerDefinition } from "./worker.js";

/** One job this node holds in its in-progress list. @internal */
export class InFlightJob implements JobContext {
  readonly raw: string;
  readonly queue: string;
  readonly startedAt: number = Date.now();
  job!: JobPayload;
  /** Set when the job was handed back to the queue (hard stop); its outcome is then not written. */
  abandoned = false;
  #controller: AbortController | undefined;

  constructor(queue: string, raw: string) {
    this.queue = queue;
    this.raw = raw;
  }

  get jid(): string {
    return this.job.jid;
  }

  /** Created on first use, so jobs that never look at it cost nothing. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Abort the handler's signal with `reason`. */
  abort(reason: unknown): void {
    this.#controller ??= new AbortController();
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }
}

/** Find the worker of a payload: by `class`, then by ActiveJob's `wrapped`. */
function findWorker(ctx: RunnerContext, job: JobPayload): WorkerDefinition<never> | undefined {
  const worker = ctx.registry.get(job.class);
  if (worker) return worker;
  return typeof job.wrapped === "string" ? ctx.registry.get(job.wrapped) : undefined;
}

/**
 * Call the handler; a sync throw, a rejection, a timeout, or an error thrown inside a callback
 * the handler scheduled (attributed through the job scope) all end as a rejection.
 */
function invoke(worker: WorkerDefinition<never>, flight: InFlightJob): Promise<void> {
  // One promise settled by whichever comes first: the handler, a crash attributed to the job, or
  // the timeout. (Cheaper than racing three promises: with the job scope's AsyncLocalStorage
  // every promise in the process pays for promise hooks.)
  const timeoutMs = worker.options.timeout;
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      if (timer !== undefined) clearTimeout(timer);
      resolve();
    };
    const fail = (error: unknown) => {
      if (timer !== undefined) clearTimeout(timer);
      reject(error);
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = new JobTimeoutError(worker.name, timeoutMs);
        flight.abort(error);
        reject(error);
      }, timeoutMs);
    }
    const scoped = {
      queue: flight.queue,
      jid: flight.job.jid,
      crash: (error: unknown) => {
        flight.abort(error);
        fail(error);
      },
    };
    runInJobScope(scoped, () => {
      try {
        const result = (worker.perform as (this: JobContext, ...args: unknown[]) => unknown).apply(
          flight,
          flight.job.args,
        );
        // A handler that settles after a timeout or crash is ignored (never an unhandled rejection).
        if (result !== null && typeof (result as PromiseLike<unknown>)?.then === "function") {
          (result as PromiseLike<unknown>).then(done, fail);
        } else done();
      } catch (error) {
        fail(error);
      }
    });
  });
}

/**
 * Run one fetched job to its end: parse, run the worker, then ack or fail it in the store.
 * `handlerSettled` is called once the handler resolved or failed, before the ack/failure write.
 * Never rejects: every outcome is recorded (malformed payloads go to the dead set with their raw bytes).
 */
export async function executeJob(
  ctx: RunnerContext,
  flight: InFlightJob,
  giveUp: () => boolean,
  handlerSettled?: () => void,
): Promise<void> {
  const { queue, raw } = flight;
  try {
    checkFetchedSize(raw, ctx.maxFetchPayloadBytes);
    flight.job = parsePayload(raw);
  } catch (error) {
    await failMalformed(ctx, flight, error, giveUp);
    return;
  }
  const { hub, nodeId } = ctx;
  const job = flight.job;
  if (hub.has("job:started")) hub.emit("job:started", { job, queue, nodeId, startedAt: flight.startedAt });
  let failure: unknown;
  let failed = false;
  try {
    const worker = findWorker(ctx, job);
    if (!worker) throw new UnknownWorkerError(job.class);
    await invoke(worker, flight);
  } catch (error) {
    failed = true;
    failure = error;
  }
  handlerSettled?.();
  if (flight.abandoned) return;
  if (!failed) {
    const acked = await persist(ctx, "ack", queue, () => ctx.store.ack(queue, nodeId, raw), giveUp);
    if (acked === false) {
      ctx.logger.warn(
        "late ack: the job was no longer in this node's in-progress list (recovered elsewhere)",
        {
          queue,
          jid: job.jid,
        },
      );
    }
    if (hub.has("job:finished")) {
      const finishedAt = Date.now();
      hub.emit("job:finished", {
        job,
        queue,
        nodeId,
        startedAt: flight.startedAt,
        finishedAt,
        durationMs: finishedAt - flight.startedAt,
      });
    }
    return;
  }
  await recordFailure(ctx, flight, failure, giveUp);
}

async function recordFailure(
  ctx: RunnerContext,
  flight: InFlightJob,
  error: unknown,
  giveUp: () => boolean,
): Promise<void> {
  const { queue, raw, job } = flight;
  const worker = findWorker(ctx, job);
  // As Sidekiq: a payload without `retry` takes the worker's option (default true) and keeps it;
  // with no worker to ask (unknown class), such a job is dropped.
  const planned =
    job.retry === undefined || job.retry === null
      ? { ...job, retry: worker ? (worker.options.retry ?? true) : false }
      : job;
  const { payload, outcome } = planFailure(planned, error, {
    defaultMaxRetries: ctx.maxRetries,
    deadLimits: ctx.dead,
    backoff: worker?.options.backoff,
    now: nowSeconds(),
    timestamps: ctx.timestamps,
  });
  const written = await persist(
    ctx,
    "fail",
    queue,
    () => ctx.store.fail(queue, ctx.nodeId, raw, outcome),
    giveUp,
  );
  if (written === false) {
    ctx.logger.warn("late failure: the job was no longer in this node's in-progress list; nothing written", {
      queue,
      jid: job.jid,
    });
    return;
  }
  const failedAt = Date.now();
  const base = { job, queue, nodeId: ctx.nodeId, startedAt: flight.startedAt };
  ctx.logger.info(`${job.class} ${job.jid} failed (${outcome.kind})`, { queue, error });
  ctx.hub.emit("job:failed", {
    ...base,
    error,
    failedAt,
    durationMs: failedAt - flight.startedAt,
    outcome: outcome.kind,
    failedJob: payload,
  });
  if (outcome.kind === "retry") {
    ctx.hub.emit("job:retried", {
      ...base,
      failedJob: payload,
      retryAt: Math.round(outcome.at * 1000),
      error,
    });
  } else if (outcome.kind === "dead") {
    ctx.hub.emit("job:dead", { ...base, failedJob: payload, error });
  }
}

async function failMalformed(
  ctx: RunnerContext,
  flight: InFlightJob,
  error: unknown,
  giveUp: () => boolean,
): Promise<void> {
  const { queue, raw } = flight;
  const message = error instanceof Error ? error.message : String(error);
  ctx.logger.error(`malformed payload in queue "${queue}" moved to the dead set: ${message}`, {
    raw: raw.length > 200 ? `${raw.slice(0, 200)}…` : raw,
  });
  const outcome = {
    kind: "dead" as const,
    raw: malformedEntry(queue, raw, message),
    at: nowSeconds(),
    limits: ctx.dead,
  };
  await persist(ctx, "fail", queue, () => ctx.store.fail(queue, ctx.nodeId, raw, outcome), giveUp);
  ctx.hub.emit("job:malformed", { queue, nodeId: ctx.nodeId, raw, error });
}

/** Throw when `raw` is over `max` bytes (UTF-8); cheap for payloads well under it. */
function checkFetchedSize(raw: string, max: number | undefined): void {
  if (max === undefined || raw.length * 3 <= max) return;
  const bytes = Buffer.byteLength(raw);
  if (bytes > max) throw new Error(`payload is ${bytes} bytes, over maxFetchPayloadBytes (${max})`);
}

/** Class name recorded for a payload that could not be read as a job. */
export const MALFORMED_CLASS = "Verk::MalformedPayload";

/**
 * The dead-set entry for an unreadable payload: a valid Sidekiq job (so Sidekiq's UI and
 * Verk's CLI can show and delete it) that keeps the original bytes in `raw_payload`.
 */
export function malformedEntry(queue: string, raw: string, message: string): string {
  const now = nowSeconds();
  return JSON.stringify({
    class: MALFORMED_CLASS,
    args: [],
    jid: generateJid(),
    queue,
    retry: false,
    created_at: now,
    failed_at: now,
    error_class: "MalformedPayload",
    error_message: `malformed payload: ${message}`,
    raw_payload: raw,
  });
}

import { isUtf8 } from "node:buffer";
import type { RunnerContext } from "./context.js";
import { UnknownWorkerError } from "./errors.js";
import type { ExecutionResult, JobExecutor, RemoteFailure } from "./executor.js";
import { planFailureOrDeadLetter } from "./failure-plan.js";
import type { InFlightJob } from "./in-flight-job.js";
import { parsePayload } from "./job.js";
import { checkFetchedSize, failMalformed } from "./malformed-payload.js";
import { persist } from "./persist.js";
import type { PerformInfo, VerkPlugin } from "./plugin.js";
import { nowSeconds } from "./time.js";

type PerformHook = NonNullable<VerkPlugin["aroundPerform"]>;

/**
 * Run the executor inside the plugins' `aroundPerform` wrappers (first plugin outermost). The
 * outcome is the executor's own: a wrapper that swallows or replaces the error changes nothing;
 * one that throws without running the handler fails the job with its error.
 */
async function executeWrapped(
  hooks: readonly PerformHook[],
  info: PerformInfo,
  execute: () => Promise<ExecutionResult>,
): Promise<ExecutionResult> {
  let result: ExecutionResult | undefined;
  let next = async (): Promise<void> => {
    result = await execute();
    if (!result.ok) throw result.error;
  };
  for (let i = hooks.length - 1; i >= 0; i--) {
    const hook = hooks[i]!;
    const inner = next;
    let called = false;
    next = () => {
      if (called) return Promise.reject(new Error("aroundPerform called run() twice"));
      called = true;
      return hook(info, inner);
    };
  }
  try {
    await next();
  } catch (error) {
    if (result === undefined) return { ok: false, error };
  }
  return result ?? { ok: false, error: new Error("an aroundPerform plugin never ran the handler") };
}

function performInfo(ctx: RunnerContext, flight: InFlightJob, isolated: boolean): PerformInfo {
  flight.carrier = {};
  return {
    jid: flight.jid,
    queue: flight.queue,
    job: flight.job,
    get signal() {
      return flight.signal;
    },
    retryCount: flight.retryCount,
    logger: flight.logger,
    carrier: flight.carrier,
    nodeId: ctx.nodeId,
    startedAt: flight.startedAt,
    isolated,
  };
}

/**
 * Run one fetched job to its end: parse, run its handler through `executor`, then ack or fail it
 * in the store. `handlerSettled` is called once the handler's body ended (for a timed-out
 * in-process handler: when it finally returns), possibly after the ack/failure write.
 * Never rejects: every outcome is recorded (malformed payloads go to the dead set with their raw bytes).
 */
export async function executeJob(
  ctx: RunnerContext,
  flight: InFlightJob,
  executor: JobExecutor,
  giveUp: () => boolean,
  handlerSettled?: () => void,
): Promise<void> {
  const { queue, raw } = flight;
  try {
    checkFetchedSize(raw, ctx.maxFetchPayloadBytes);
    if (!isUtf8(raw)) throw new Error("payload is not valid UTF-8");
    flight.text = raw.toString("utf8");
    flight.job = parsePayload(flight.text);
  } catch (error) {
    handlerSettled?.();
    await failMalformed(ctx, flight, error, giveUp);
    return;
  }
  const { hub, nodeId } = ctx;
  const job = flight.job;
  const flow = ctx.flow;
  // Flow control costs nothing for jobs without its fields on nodes without limited classes.
  if (
    flow !== undefined &&
    (flow.limited || job.expires_at !== undefined || job.unique_until !== undefined)
  ) {
    // Flow control: skip an expired job, put back one over its per-key limit, hold its slot.
    const verdict = await flow.admit(ctx, flight, giveUp);
    if (!verdict.run) {
      flow.settled(flight);
      handlerSettled?.();
      if ("error" in verdict) await recordFailure(ctx, flight, verdict.error, giveUp);
      return;
    }
    if (flight.slot !== undefined) {
      const settled = handlerSettled;
      handlerSettled = () => {
        flow.settled(flight);
        settled?.();
      };
    }
  }
  if (hub.has("job:started")) hub.emit("job:started", { job, queue, nodeId, startedAt: flight.startedAt });
  const hooks = ctx.performHooks;
  const result =
    hooks === undefined || hooks.length === 0
      ? await executor.execute(flight)
      : await executeWrapped(hooks, performInfo(ctx, flight, executor.isolated), () =>
          executor.execute(flight),
        );
  if (!result.ok && result.bodyDone !== undefined) {
    result.bodyDone.then(handlerSettled, handlerSettled);
  } else {
    handlerSettled?.();
  }
  if (flight.abandoned) return;
  if (result.ok) {
    const acked = await persist(ctx, "ack", queue, () => ctx.store.ack(queue, nodeId, raw), giveUp);
    if (acked !== true) {
      if (acked === false) {
        ctx.logger.warn(
          { queue, jid: job.jid, class: job.class, nodeId },
          `late ack: the job was no longer in this node's in-progress list (${await lateCause(ctx, flight)})`,
        );
      }
      emitUnacked(ctx, flight, "ack", acked === false ? "not-in-progress" : "gave-up");
      return;
    }
    if (job.unique_digest !== undefined) ctx.flow?.succeeded(flight);
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
  await recordFailure(ctx, flight, result.error, giveUp, result.remote);
}

async function recordFailure(
  ctx: RunnerContext,
  flight: InFlightJob,
  cause: unknown,
  giveUp: () => boolean,
  remote?: RemoteFailure,
): Promise<void> {
  const { queue, raw, job } = flight;
  const worker = ctx.registry.forJob(job);
  // An isolated run reports its worker's options and backoff from its thread (user code stays there).
  const options = remote ? remote.worker : worker?.options;
  const remoteDelay = remote?.backoffSeconds;
  // As Sidekiq: a payload without `retry` takes the worker's option (default true) and keeps it;
  // with no worker to ask (unknown class), such a job is dropped, with a warning saying so.
  const noRetryField = job.retry === undefined || job.retry === null;
  const planned = noRetryField ? { ...job, retry: options ? (options.retry ?? true) : false } : job;
  const failure = options === undefined && noRetryField ? new UnknownWorkerError(job.class, true) : cause;
  const { payload, outcome } = planFailureOrDeadLetter(
    planned,
    failure,
    {
      defaultMaxRetries: ctx.maxRetries,
      deadLimits: ctx.dead,
      backoff: remote ? (remoteDelay === undefined ? undefined : () => remoteDelay) : worker?.options.backoff,
      now: nowSeconds(),
      timestamps: ctx.timestamps,
      onBackoffError: (backoffError) => {
        ctx.logger.error(
          { queue, jid: job.jid, class: job.class, err: backoffError },
          `the backoff of ${job.class} threw; the default backoff is used`,
        );
        ctx.hub.emit("error", { error: backoffError, context: "backoff", queue });
      },
    },
    queue,
    raw,
  );
  const written = await persist(
    ctx,
    "fail",
    queue,
    () => ctx.store.fail(queue, ctx.nodeId, raw, outcome),
    giveUp,
  );
  if (written !== true) {
    if (written === false) {
      ctx.logger.warn(
        { queue, jid: job.jid, class: job.class, nodeId: ctx.nodeId },
        `late failure: the job was no longer in this node's in-progress list (${await lateCause(ctx, flight)}); nothing written`,
      );
    }
    emitUnacked(ctx, flight, outcome.kind, written === false ? "not-in-progress" : "gave-up");
    return;
  }
  const failedAt = Date.now();
  const base = { job, queue, nodeId: ctx.nodeId, startedAt: flight.startedAt };
  // A job that leaves for good (dead or dropped) is worth a warning; a retry is routine.
  ctx.logger[outcome.kind === "retry" ? "info" : "warn"](
    { queue, class: job.class, jid: job.jid, nodeId: ctx.nodeId, outcome: outcome.kind, err: failure },
    `${job.class} ${job.jid} failed (${outcome.kind})`,
  );
  ctx.hub.emit("job:failed", {
    ...base,
    error: failure,
    failedAt,
    durationMs: failedAt - flight.startedAt,
    outcome: outcome.kind,
    failedJob: payload,
  });
  if (outcome.kind === "retry") {
    ctx.dueSoon?.(outcome.at * 1000);
    ctx.hub.emit("job:retried", {
      ...base,
      failedJob: payload,
      retryAt: Math.round(outcome.at * 1000),
      error: failure,
    });
  } else if (outcome.kind === "dead") {
    ctx.hub.emit("job:dead", { ...base, failedJob: payload, error: failure });
  }
  if (outcome.kind !== "retry" && job.unique_digest !== undefined) ctx.flow?.died(flight);
}

/** Report a run whose outcome was not written (see the `job:unacked` event). */
function emitUnacked(
  ctx: RunnerContext,
  flight: InFlightJob,
  outcome: "ack" | "retry" | "dead" | "discard",
  reason: "not-in-progress" | "gave-up",
): void {
  if (!ctx.hub.has("job:unacked")) return;
  const at = Date.now();
  ctx.hub.emit("job:unacked", {
    job: flight.job,
    queue: flight.queue,
    nodeId: ctx.nodeId,
    startedAt: flight.startedAt,
    endedAt: at,
    durationMs: at - flight.startedAt,
    outcome,
    reason,
  });
}

/** A sentence naming why a write found its job gone. */
async function lateCause(ctx: RunnerContext, flight: InFlightJob): Promise<string> {
  const cause = await ctx.lateWriteCause?.(flight.startedAt).catch(() => undefined);
  switch (cause) {
    case "data-lost":
      return "the store lost its data meanwhile: Redis restarted empty or was flushed";
    case "heartbeat-expired":
      return "this node's heartbeat expired meanwhile, so a live peer recovered the job: it may run twice";
    default:
      return "it was recovered elsewhere, or the store lost it";
  }
}

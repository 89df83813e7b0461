import {
  type Attributes,
  context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import {
  assertKnownKeys,
  displayClass,
  type EnqueueOperation,
  invalidOption,
  type JobPayload,
  type PerformInfo,
  type Verk,
  type VerkPlugin,
} from "@verk/core";
import { ATTR, MESSAGING_SYSTEM } from "./attributes.js";
import { payloadGetter, payloadSetter, W3CJobPropagator } from "./trace-context.js";
import { VERSION } from "./version.js";

/** How the span of a run relates to the span that enqueued the job. */
export type PropagationStyle = "child" | "link";

/** Options of {@link otelPlugin}. */
export interface OtelOptions {
  /** Where the tracer comes from. (Default: the global provider your SDK registered, `trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /**
   * `"child"`: a run's span is a child of the enqueue's span, in the same trace (also after
   * retries and across processes). `"link"`: a run starts its own trace (or continues the context
   * active where the job runs) and links to the enqueue's span. (Default: `"child"`)
   */
  propagationStyle?: PropagationStyle;
  /**
   * How the trace context is written into and read from the payload. (Default: W3C Trace Context
   * as top-level `traceparent`/`tracestate` fields, whatever the SDK registered; pass
   * `propagation` from `@opentelemetry/api` to use the SDK's propagators, e.g. to carry baggage.)
   */
  propagator?: TextMapPropagator;
}

/** The `@verk/otel` plugin. */
export interface OtelPlugin extends VerkPlugin {
  /** The tracer the spans are created with. */
  readonly tracer: Tracer;
}

const KNOWN = ["tracerProvider", "propagationStyle", "propagator"] as const;
const PRODUCER_NAMES: Record<EnqueueOperation["kind"], string> = {
  enqueue: "send",
  enqueueBulk: "send",
  schedule: "schedule",
  scheduleBulk: "schedule",
};

/**
 * OpenTelemetry tracing for Verk, named and attributed per the messaging semantic conventions:
 * a PRODUCER span per enqueue, bulk enqueue and schedule (`send <queue>`, `schedule <queue>`),
 * whose context is written into each payload as a W3C `traceparent`; a CONSUMER span per run
 * (`process <queue>`), child of (or linked to) that context on any node and after every retry;
 * short settle spans when a failed job is retried, dead or discarded (`retry <queue>`, …); and a
 * `recover` span when in-progress jobs of a node are put back. Uses only `@opentelemetry/api`:
 * install and register the SDK of your choice.
 * @throws VerkError `INVALID_OPTION` for an unknown option or a bad `propagationStyle`.
 * @example
 * createVerk({ store, queues: { default: 10 }, workers, plugins: [otelPlugin()] });
 */
export function otelPlugin(options: OtelOptions = {}): OtelPlugin {
  assertKnownKeys(options, KNOWN, "otelPlugin");
  const style = options.propagationStyle ?? "child";
  if (style !== "child" && style !== "link")
    throw invalidOption("propagationStyle", 'must be "child" or "link"');
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  const tracer = provider.getTracer("@verk/otel", VERSION);
  const propagator = options.propagator ?? new W3CJobPropagator();
  // The span context of each job's latest run on this node, for the settle spans that follow it.
  const runs = new WeakMap<JobPayload, SpanContext>();
  let nodeId = "";

  const settle = (name: string, job: JobPayload, queue: string, extra: Attributes = {}): void => {
    const run = runs.get(job);
    const parent = run ? trace.setSpanContext(ROOT_CONTEXT, run) : context.active();
    const span = tracer.startSpan(
      `${name} ${queue}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          ...base("settle", name),
          [ATTR.destination]: queue,
          [ATTR.messageId]: job.jid,
          [ATTR.jobClass]: displayClass(job),
          [ATTR.clientId]: nodeId,
          ...extra,
        },
      },
      parent,
    );
    span.end();
  };

  return {
    name: "@verk/otel",
    tracer,
    setup(verk: Verk) {
      nodeId = verk.nodeId;
      verk.on("job:retried", (e) =>
        settle("retry", e.job, e.queue, {
          [ATTR.retryCount]: e.failedJob.retry_count ?? 0,
          [ATTR.runAt]: new Date(e.retryAt).toISOString(),
        }),
      );
      verk.on("job:dead", (e) => settle("dead", e.job, e.queue));
      verk.on("job:failed", (e) => {
        if (e.outcome === "discard") settle("discard", e.job, e.queue);
      });
      verk.on("jobs:recovered", (e) => {
        const span = tracer.startSpan("recover", {
          kind: SpanKind.INTERNAL,
          attributes: {
            [ATTR.system]: MESSAGING_SYSTEM,
            [ATTR.operationName]: "recover",
            [ATTR.batchCount]: e.count,
            [ATTR.clientId]: e.nodeId,
            [ATTR.recoveredFrom]: e.fromNodeId,
          },
        });
        span.end();
      });
    },
    async aroundEnqueue(operation, write) {
      const { jobs, kind } = operation;
      const name = PRODUCER_NAMES[kind];
      const queue = sharedValue(jobs, (job) => job.queue);
      const className = sharedValue(jobs, displayClass);
      const attributes: Attributes = { ...base("send", name), [ATTR.clientId]: nodeId };
      if (queue !== undefined) attributes[ATTR.destination] = queue;
      if (className !== undefined) attributes[ATTR.jobClass] = className;
      if (kind === "enqueueBulk" || kind === "scheduleBulk") attributes[ATTR.batchCount] = jobs.length;
      else if (jobs[0]) attributes[ATTR.messageId] = jobs[0].jid;
      const dueAt = operation.dueAt?.[0];
      if (kind === "schedule" && dueAt !== undefined) attributes[ATTR.runAt] = new Date(dueAt).toISOString();
      // A job that already carries a creation context keeps it; the send span links to it.
      const links: Link[] = [];
      const fresh: JobPayload[] = [];
      for (const job of jobs) {
        const given = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, job, payloadGetter));
        if (given) links.push({ context: given });
        else fresh.push(job);
      }
      const active = context.active();
      const span = tracer.startSpan(
        queue === undefined ? name : `${name} ${queue}`,
        {
          kind: SpanKind.PRODUCER,
          attributes,
          links,
        },
        active,
      );
      const ctx = trace.setSpan(active, span);
      for (const job of fresh) propagator.inject(ctx, job, payloadSetter);
      try {
        await context.with(ctx, write);
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
    async aroundPerform(info: PerformInfo, run: () => Promise<void>) {
      const { job, queue } = info;
      const created = propagator.extract(ROOT_CONTEXT, job, payloadGetter);
      const origin = trace.getSpanContext(created);
      const parent = style === "child" && origin ? created : context.active();
      const attributes: Attributes = {
        ...base("process", "process"),
        [ATTR.destination]: queue,
        [ATTR.messageId]: info.jid,
        [ATTR.jobClass]: displayClass(job),
        [ATTR.clientId]: info.nodeId,
      };
      if (info.retryCount !== undefined) attributes[ATTR.retryCount] = info.retryCount;
      if (info.isolated) attributes[ATTR.isolated] = true;
      const span = tracer.startSpan(
        `process ${queue}`,
        {
          kind: SpanKind.CONSUMER,
          attributes,
          links: style === "link" && origin ? [{ context: origin }] : [],
          startTime: info.startedAt,
        },
        parent,
      );
      runs.set(job, span.spanContext());
      const active = trace.setSpan(parent, span);
      // Hand the run's context to the handler, also inside an isolated queue's thread or process
      // (`this.carrier`; `jobContext(this)` reads it).
      propagator.inject(active, info.carrier, payloadSetter);
      try {
        await context.with(active, run);
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  };
}

function base(type: string, name: string): Attributes {
  return { [ATTR.system]: MESSAGING_SYSTEM, [ATTR.operationType]: type, [ATTR.operationName]: name };
}

/** Record `error` on `span`: an `exception` event, status ERROR with its message, and `error.type`. */
function fail(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  span.setAttribute(ATTR.errorType, err.name || "Error");
}

/** The value every job shares, or `undefined` when they differ (or there is none). */
function sharedValue(jobs: readonly JobPayload[], pick: (job: JobPayload) => string): string | undefined {
  const first = jobs[0];
  if (!first) return undefined;
  const value = pick(first);
  return jobs.every((job) => pick(job) === value) ? value : undefined;
}

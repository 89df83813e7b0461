import { type Context, ROOT_CONTEXT, type TextMapPropagator } from "@opentelemetry/api";
import type { JobContext, JobPayload } from "@verk/core";
import { payloadGetter, W3CJobPropagator } from "./trace-context.js";

const w3c = new W3CJobPropagator();

/**
 * The trace context of a job as an OpenTelemetry `Context`, for code that runs where the plugin's
 * context does not reach, e.g. a handler inside a worker thread of an isolated queue:
 * `context.with(jobContext(this), () => tracer.startActiveSpan("resize", …))`.
 * Given the handler's `this` (a `JobContext`), it is the run's own span (handed over in
 * `this.carrier`), so spans made there are its children; given a payload, the span that enqueued
 * it. `ROOT_CONTEXT` (or `base`) when neither carries one. Pass the plugin's `propagator` if you
 * configured one.
 */
export function jobContext(
  source: JobContext | JobPayload,
  propagator: TextMapPropagator = w3c,
  base: Context = ROOT_CONTEXT,
): Context {
  const carrier = (source as Partial<JobContext>).carrier;
  if (carrier !== undefined && Object.keys(carrier).length > 0) {
    return propagator.extract(base, carrier as Record<string, unknown>, payloadGetter);
  }
  const job = (source as Partial<JobContext>).job ?? (source as JobPayload);
  return propagator.extract(base, job, payloadGetter);
}

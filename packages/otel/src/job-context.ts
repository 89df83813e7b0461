import { type Context, ROOT_CONTEXT, type TextMapPropagator } from "@opentelemetry/api";
import type { JobPayload } from "@verk/core";
import { payloadGetter, W3CJobPropagator } from "./trace-context.js";

const w3c = new W3CJobPropagator();

/**
 * The trace context carried by a job payload (the span that enqueued it), as an OpenTelemetry
 * `Context`; `ROOT_CONTEXT` (or `base`) when the payload carries none. For code that runs where
 * the plugin's context does not reach, e.g. a handler inside a worker thread of an isolated queue:
 * `context.with(jobContext(this.job), () => tracer.startActiveSpan("resize", …))`.
 * Pass the plugin's `propagator` if you configured one.
 */
export function jobContext(
  job: JobPayload,
  propagator: TextMapPropagator = w3c,
  base: Context = ROOT_CONTEXT,
): Context {
  return propagator.extract(base, job, payloadGetter);
}

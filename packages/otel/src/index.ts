/**
 * `@verk/otel`: OpenTelemetry tracing for Verk (producer and consumer spans per the messaging
 * semantic conventions, the W3C trace context carried in the job payload).
 * @packageDocumentation
 */
export { ATTR, MESSAGING_SYSTEM } from "./attributes.js";
export { jobContext } from "./job-context.js";
export type { OtelOptions, OtelPlugin, PropagationStyle } from "./plugin.js";
export { otelPlugin } from "./plugin.js";
export {
  parseTraceparent,
  payloadGetter,
  payloadSetter,
  TRACEPARENT_FIELD,
  TRACESTATE_FIELD,
  W3CJobPropagator,
} from "./trace-context.js";
export { VERSION } from "./version.js";

import {
  type Context,
  createTraceState,
  isSpanContextValid,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from "@opentelemetry/api";

/** The payload field holding the W3C `traceparent` (a top-level job field that Sidekiq ignores). */
export const TRACEPARENT_FIELD = "traceparent";
/** The payload field holding the W3C `tracestate`, written only when the span context has one. */
export const TRACESTATE_FIELD = "tracestate";

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * A `TextMapPropagator` writing and reading the W3C Trace Context (`traceparent`, `tracestate`,
 * https://www.w3.org/TR/trace-context/) as top-level fields of a job payload. It is the default
 * of `otelPlugin`, so the context travels whatever propagators the SDK registered; it reads the
 * same fields the OpenTelemetry Sidekiq instrumentation for Ruby writes.
 */
export class W3CJobPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (!span || !isSpanContextValid(span)) return;
    const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
    setter.set(carrier, TRACEPARENT_FIELD, `00-${span.traceId}-${span.spanId}-${flags}`);
    const state = span.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE_FIELD, state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const span = parseTraceparent(first(getter.get(carrier, TRACEPARENT_FIELD)));
    if (!span) return context;
    const state = first(getter.get(carrier, TRACESTATE_FIELD));
    return trace.setSpanContext(context, state ? { ...span, traceState: createTraceState(state) } : span);
  }

  fields(): string[] {
    return [TRACEPARENT_FIELD, TRACESTATE_FIELD];
  }
}

/** Parse a W3C `traceparent` value; `undefined` when it is not a valid one. */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  if (typeof value !== "string") return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  // Version ff is forbidden; version 00 has exactly four fields (later versions may add some).
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  const span: SpanContext = {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: parseInt(flags!, 16),
    isRemote: true,
  };
  return isSpanContextValid(span) ? span : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads string fields of a job payload (any other value counts as absent). */
export const payloadGetter: TextMapGetter<Record<string, unknown>> = {
  get: (carrier, key) => (typeof carrier[key] === "string" ? (carrier[key] as string) : undefined),
  keys: (carrier) => Object.keys(carrier),
};

/** Writes top-level fields of a job payload. */
export const payloadSetter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

import { context, type SpanContext } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/** An SDK tracer provider exporting to memory, and the async-hooks context manager (as an app's SDK would set up). */
export function memoryTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  const named = (name: string): ReadableSpan[] => spans().filter((s) => s.name === name);
  return { exporter, provider, spans, named, reset: () => exporter.reset() };
}

/** The parent span id of a finished span ('' for a root). */
export function parentOf(span: ReadableSpan): string {
  return span.parentSpanContext?.spanId ?? "";
}

/** A span's own ids. */
export function idsOf(span: ReadableSpan): SpanContext {
  return span.spanContext();
}

/** A logger that drops everything. */
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

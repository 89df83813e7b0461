// @verk/otel README: the plugin with an SDK registered, an enqueue inside a span, then verk.stop(). Must exit by itself.
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createVerk, defineWorker } from "@verk/core";
import { otelPlugin } from "@verk/otel";
import { redisStore } from "@verk/redis-store";

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const SendReceipt = defineWorker("SendReceipt", async () => {});
const verk = createVerk({
  store: redisStore({ url: process.env.REDIS_URL }),
  queues: { default: 10 },
  workers: [SendReceipt],
  plugins: [otelPlugin()],
});
await verk.start();
await trace.getTracer("app").startActiveSpan("POST /orders", async (span) => {
  await SendReceipt.enqueue(7);
  span.end();
});
while (!exporter.getFinishedSpans().some((s) => s.name === "process default"))
  await new Promise((r) => setTimeout(r, 10));
console.log("ready");
await verk.stop();

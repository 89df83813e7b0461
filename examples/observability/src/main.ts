// Verk in the ecosystem's own terms, in one process: OpenTelemetry traces (printed to the console),
// Verk's metrics in the app's own prom-client registry (served with the app's metrics at /metrics),
// and pino as the logger of Verk and its add-ons.
//   REDIS_URL=redis://127.0.0.1:6379 pnpm --filter @verk/example-observability build && … start
// Then: curl -s 127.0.0.1:9464/metrics | grep verk_   and   kill -TERM <pid>  (exits by itself).
import { createServer } from "node:http";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createVerk, defineWorker } from "@verk/core";
import { events } from "@verk/events";
import { otelPlugin } from "@verk/otel";
import { redisStore } from "@verk/redis-store";
import { scheduler } from "@verk/scheduler";
import { stats } from "@verk/stats";
import pino from "pino";
import { collectDefaultMetrics, register } from "prom-client";

// 1. The app's OpenTelemetry SDK (any SDK works: @verk/otel only uses @opentelemetry/api).
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }),
);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// 2. The app's logger and metrics registry.
const logger = pino({ level: process.env.LOG_LEVEL ?? "info" });
collectDefaultMetrics({ register });

const SendReceipt = defineWorker(
  "SendReceipt",
  async function (orderId: number) {
    this.logger.info({ jid: this.jid, orderId }, "sending receipt");
    if (orderId % 4 === 0) throw new Error(`mail server refused order ${orderId}`);
  },
  { queue: "mail", retry: 2, backoff: () => 1 },
);

const verk = createVerk({
  store: redisStore({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", namespace: "verk-example" }),
  queues: { mail: 5 },
  workers: [SendReceipt],
  logger,
  plugins: [
    otelPlugin(),
    stats({ registry: register }),
    events(),
    scheduler({
      cron: [{ name: "digest", every: 5_000, job: { class: "SendReceipt", queue: "mail", args: [1] } }],
    }),
  ],
});
await verk.start();

const tracer = trace.getTracer("shop");
let order = 0;
const server = createServer((req, res) => {
  if (req.url === "/metrics") {
    register.metrics().then((text) => res.writeHead(200, { "content-type": register.contentType }).end(text));
    return;
  }
  // An "HTTP request" span; the job's producer and consumer spans join its trace.
  tracer.startActiveSpan(`${req.method} ${req.url}`, async (span) => {
    const jid = await SendReceipt.enqueue(++order);
    span.end();
    res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ jid }));
  });
});
server.listen(Number(process.env.PORT ?? 9464), "127.0.0.1", () =>
  logger.info({ url: `http://127.0.0.1:${Number(process.env.PORT ?? 9464)}` }, "listening"),
);

process.once("SIGTERM", async () => {
  server.close();
  server.closeAllConnections();
  await verk.stop(); // every add-on stops with it; nothing keeps the process alive
});

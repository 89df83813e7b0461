import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { createVerk, defineWorker } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useRedis } from "@verk/test-redis/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { ATTR, otelPlugin, parseTraceparent } from "../src/index.js";
import { idsOf, memoryTracing, parentOf, quiet } from "./tracing.js";

const fx = useRedis();
const tracing = memoryTracing();
const tracer = tracing.provider.getTracer("app");
afterEach(() => tracing.reset());

/** A producer-only instance and a worker instance, each with its own store and plugin (two "processes"). */
function pair(perform: (n: number) => Promise<void>, style: "child" | "link" = "child") {
  const Work = defineWorker("Work", perform, { queue: "default", backoff: () => 0 });
  const producer = createVerk({
    store: redisStore({ url: fx.url }),
    plugins: [otelPlugin({ tracerProvider: tracing.provider })],
    logger: quiet,
  });
  const worker = createVerk({
    store: redisStore({ url: fx.url }),
    queues: { default: 2 },
    workers: [Work],
    plugins: [otelPlugin({ tracerProvider: tracing.provider, propagationStyle: style })],
    pollIntervalMs: 100,
    logger: quiet,
  });
  return { producer, worker };
}

describe("@verk/otel across two Verk instances on Redis", () => {
  it("an enqueue inside a parent span: producer and consumer spans in one trace, right parents and attributes", async () => {
    let ran = 0;
    const { producer, worker } = pair(async () => {
      ran++;
    });
    await worker.start();
    try {
      let jid = "";
      let parentIds = { traceId: "", spanId: "" };
      await tracer.startActiveSpan("POST /orders", async (parent) => {
        parentIds = parent.spanContext();
        jid = (await producer.enqueue({ class: "Work", queue: "default", args: [1] })) ?? "";
        parent.end();
      });
      await until(() => tracing.named("process default").length === 1);
      expect(ran).toBe(1);
      const [send] = tracing.named("send default");
      const [run] = tracing.named("process default");
      expect(send!.kind).toBe(SpanKind.PRODUCER);
      expect(idsOf(send!).traceId).toBe(parentIds.traceId);
      expect(parentOf(send!)).toBe(parentIds.spanId);
      expect(send!.attributes).toMatchObject({
        [ATTR.system]: "verk",
        [ATTR.operationType]: "send",
        [ATTR.operationName]: "send",
        [ATTR.destination]: "default",
        [ATTR.messageId]: jid,
        [ATTR.jobClass]: "Work",
        [ATTR.clientId]: producer.nodeId,
      });
      expect(run!.kind).toBe(SpanKind.CONSUMER);
      expect(idsOf(run!).traceId).toBe(parentIds.traceId);
      expect(parentOf(run!)).toBe(idsOf(send!).spanId);
      expect(run!.status.code).toBe(SpanStatusCode.UNSET);
      expect(run!.attributes).toMatchObject({
        [ATTR.operationType]: "process",
        [ATTR.operationName]: "process",
        [ATTR.destination]: "default",
        [ATTR.messageId]: jid,
        [ATTR.jobClass]: "Work",
        [ATTR.clientId]: worker.nodeId,
      });
      expect(run!.attributes[ATTR.retryCount]).toBeUndefined();
    } finally {
      await worker.stop({ timeout: 1_000 });
      await producer.stop();
    }
  });

  it("a failing-then-retried job: both runs are children of the enqueue, the failure is recorded, the retry is visible", async () => {
    let calls = 0;
    const { producer, worker } = pair(async () => {
      calls++;
      if (calls === 1) throw new TypeError("first run fails");
    });
    await worker.start();
    try {
      const jid = await tracer.startActiveSpan("request", async (parent) => {
        const id = await producer.enqueue({ class: "Work", queue: "default", args: [1], retry: 3 });
        parent.end();
        return id;
      });
      // While it waits for its retry, the stored payload still carries the enqueue's context.
      await until(() => tracing.named("retry default").length === 1);
      const [send] = tracing.named("send default");
      await until(() => tracing.named("process default").length === 2, 10_000);
      const runs = tracing
        .named("process default")
        .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
      const [first, second] = runs;
      for (const run of runs) {
        expect(idsOf(run).traceId).toBe(idsOf(send!).traceId);
        expect(parentOf(run)).toBe(idsOf(send!).spanId);
        expect(run.attributes[ATTR.messageId]).toBe(jid);
      }
      expect(first!.status).toEqual({ code: SpanStatusCode.ERROR, message: "first run fails" });
      expect(first!.attributes[ATTR.errorType]).toBe("TypeError");
      const exception = first!.events.find((e) => e.name === "exception");
      expect(exception?.attributes).toMatchObject({
        "exception.type": "TypeError",
        "exception.message": "first run fails",
      });
      expect(first!.attributes[ATTR.retryCount]).toBeUndefined();
      expect(second!.status.code).toBe(SpanStatusCode.UNSET);
      expect(second!.attributes[ATTR.retryCount]).toBe(0);
      const [retry] = tracing.named("retry default");
      expect(retry!.kind).toBe(SpanKind.CLIENT);
      expect(parentOf(retry!)).toBe(idsOf(first!).spanId);
      expect(retry!.attributes).toMatchObject({
        [ATTR.operationType]: "settle",
        [ATTR.operationName]: "retry",
        [ATTR.messageId]: jid,
        [ATTR.retryCount]: 0,
      });
      expect(typeof retry!.attributes[ATTR.runAt]).toBe("string");
    } finally {
      await worker.stop({ timeout: 1_000 });
      await producer.stop();
    }
  });

  it("a job that dies: the settle span says so; the dead entry keeps the trace context", async () => {
    const { producer, worker } = pair(async () => {
      throw new Error("always");
    });
    await worker.start();
    try {
      await producer.enqueue({ class: "Work", queue: "default", args: [1], retry: 0 });
      await until(() => tracing.named("dead default").length === 1);
      const [send] = tracing.named("send default");
      const [run] = tracing.named("process default");
      expect(parentOf(tracing.named("dead default")[0]!)).toBe(idsOf(run!).spanId);
      const [dead] = await fx.redis.zrange("dead", 0, -1);
      const stored = parseTraceparent(JSON.parse(dead!).traceparent);
      expect(stored).toMatchObject({ traceId: idsOf(send!).traceId, spanId: idsOf(send!).spanId });
    } finally {
      await worker.stop({ timeout: 1_000 });
      await producer.stop();
    }
  });

  it('propagationStyle "link": the run starts its own trace and links to the enqueue', async () => {
    const { producer, worker } = pair(async () => {}, "link");
    await worker.start();
    try {
      await tracer.startActiveSpan("request", async (parent) => {
        await producer.enqueue({ class: "Work", queue: "default", args: [1] });
        parent.end();
      });
      await until(() => tracing.named("process default").length === 1);
      const [send] = tracing.named("send default");
      const [run] = tracing.named("process default");
      expect(idsOf(run!).traceId).not.toBe(idsOf(send!).traceId);
      expect(parentOf(run!)).toBe("");
      expect(run!.links.map((l) => l.context.spanId)).toEqual([idsOf(send!).spanId]);
    } finally {
      await worker.stop({ timeout: 1_000 });
      await producer.stop();
    }
  });

  it("bulk and schedule: one producer span each, batch count, every job carries its context", async () => {
    const { producer, worker } = pair(async () => {});
    try {
      await producer.enqueueBulk([1, 2, 3].map((n) => ({ class: "Work", queue: "default", args: [n] })));
      const [bulk] = tracing.named("send default");
      expect(bulk!.attributes[ATTR.batchCount]).toBe(3);
      expect(bulk!.attributes[ATTR.messageId]).toBeUndefined();
      const waiting = await fx.redis.lrange("queue:default", 0, -1);
      expect(waiting.map((raw) => parseTraceparent(JSON.parse(raw).traceparent)?.spanId)).toEqual([
        idsOf(bulk!).spanId,
        idsOf(bulk!).spanId,
        idsOf(bulk!).spanId,
      ]);
      const at = Date.now() + 200;
      await producer.schedule({ class: "Work", queue: "default", args: [4] }, at);
      const [scheduled] = tracing.named("schedule default");
      expect(scheduled!.kind).toBe(SpanKind.PRODUCER);
      expect(scheduled!.attributes).toMatchObject({
        [ATTR.operationType]: "send",
        [ATTR.operationName]: "schedule",
        [ATTR.runAt]: new Date(at).toISOString(),
      });
      await worker.start();
      await until(() => tracing.named("process default").length === 4, 10_000);
      const parents = tracing.named("process default").map(parentOf).sort();
      expect(parents).toEqual(
        [idsOf(bulk!).spanId, idsOf(bulk!).spanId, idsOf(bulk!).spanId, idsOf(scheduled!).spanId].sort(),
      );
    } finally {
      await worker.stop({ timeout: 1_000 });
      await producer.stop();
    }
  });

  it("a job given its own traceparent keeps it; the send span links to it", async () => {
    const { producer } = pair(async () => {});
    const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await producer.enqueue({ class: "Work", queue: "default", args: [], traceparent: own });
    const [send] = tracing.named("send default");
    expect(send!.links.map((l) => l.context.spanId)).toEqual(["b7ad6b7169203331"]);
    const [raw] = await fx.redis.lrange("queue:default", 0, -1);
    expect(JSON.parse(raw!).traceparent).toBe(own);
    await producer.stop();
  });
});

describe("@verk/otel with an isolated queue (worker threads)", () => {
  it("hands the run's span into the thread: jobContext(this) there is the consumer span", async () => {
    const worker = createVerk({
      store: redisStore({ url: fx.url }),
      queues: { iso: { concurrency: 1, isolation: "thread" } },
      workerModule: new URL("./fixtures/isolated-workers.mjs", import.meta.url),
      plugins: [otelPlugin({ tracerProvider: tracing.provider })],
      pollIntervalMs: 0,
      logger: quiet,
    });
    const messages: string[] = [];
    worker.on("job:failed", (event) => {
      messages.push(String((event.failedJob as { error_message?: unknown }).error_message));
    });
    await worker.start();
    try {
      await tracer.startActiveSpan("request", async (parent) => {
        await worker.enqueue({ class: "InThread", queue: "iso" });
        parent.end();
      });
      await until(() => messages.length === 1 && tracing.named("process iso").length === 1, 15_000);
      const [run] = tracing.named("process iso");
      expect(run!.attributes[ATTR.isolated]).toBe(true);
      expect(messages[0]).toBe(`span ${idsOf(run!).traceId}/${idsOf(run!).spanId}`);
    } finally {
      await worker.stop({ timeout: 1_000 });
    }
  });
});

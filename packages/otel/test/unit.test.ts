import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { createVerk, defineWorker, MemoryStore, VerkError } from "@verk/core";
import { until } from "@verk/test-redis/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { ATTR, jobContext, otelPlugin, parseTraceparent, W3CJobPropagator } from "../src/index.js";
import { idsOf, memoryTracing, parentOf, quiet } from "./tracing.js";

const tracing = memoryTracing();
afterEach(() => tracing.reset());

describe("W3C trace context in the payload", () => {
  it("parses valid traceparents and rejects invalid ones", () => {
    expect(parseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")).toEqual({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: 1,
      isRemote: true,
    });
    for (const bad of [
      "",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
      "00-00000000000000000000000000000000-b7ad6b7169203331-01",
      "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
      "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
      "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
    ])
      expect(parseTraceparent(bad), bad).toBeUndefined();
    // A later version may add fields.
    expect(parseTraceparent("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-ab")?.spanId).toBe(
      "b7ad6b7169203331",
    );
  });

  it("writes traceparent and tracestate as the SDK's W3C propagator reads them, and reads them back", () => {
    const span = tracing.provider.getTracer("t").startSpan("s");
    const ctx = trace.setSpan(ROOT_CONTEXT, span);
    const job: Record<string, unknown> = { class: "A" };
    const setter = { set: (c: Record<string, unknown>, k: string, v: string) => (c[k] = v) };
    new W3CJobPropagator().inject(ctx, job, setter);
    expect(job.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    expect(job.tracestate).toBeUndefined();
    const sdk = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, job, {
      get: (c, k) => c[k] as string | undefined,
      keys: (c) => Object.keys(c),
    });
    expect(trace.getSpanContext(sdk)?.spanId).toBe(span.spanContext().spanId);
    const withState = { ...job, tracestate: "vendor=value" };
    const read = trace.getSpanContext(jobContext(withState as never));
    expect(read?.traceState?.get("vendor")).toBe("value");
    expect(trace.getSpanContext(jobContext({ class: "A", traceparent: 42 } as never))).toBeUndefined();
    span.end();
  });
});

describe("otelPlugin", () => {
  it("rejects unknown options and a bad propagationStyle", () => {
    expect(() => otelPlugin({ propagationStyel: "link" } as never)).toThrow(VerkError);
    expect(() => otelPlugin({ propagationStyle: "sibling" as never })).toThrow(/propagationStyle/);
  });

  it("the handler runs inside the run's span; a recovery is a span; a custom propagator is used", async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const store = new MemoryStore();
    let active = "";
    const Job = defineWorker("Job", async () => {
      active = trace.getSpanContext(context.active())?.spanId ?? "none";
    });
    // A job left in this node's in-progress list by an earlier run (a crash).
    await store.push([
      {
        queue: "default",
        raw: JSON.stringify({
          class: "Job",
          args: [],
          jid: "a1",
          queue: "default",
          retry: false,
          created_at: 1,
        }),
      },
    ]);
    await store.registerNode("node-1", ["default"]);
    await store.openQueue("default", "node-1").fetch(1, 0);
    const verk = createVerk({
      store,
      nodeId: "node-1",
      queues: { default: 1 },
      workers: [Job],
      plugins: [otelPlugin({ tracerProvider: tracing.provider, propagator: propagation })],
      logger: quiet,
      pollIntervalMs: 0,
    });
    await verk.start();
    try {
      await until(() => tracing.named("process default").length === 1);
      const [recover] = tracing.named("recover");
      expect(recover!.attributes).toMatchObject({
        [ATTR.operationName]: "recover",
        [ATTR.batchCount]: 1,
        [ATTR.clientId]: "node-1",
        [ATTR.recoveredFrom]: "node-1",
      });
      const [run] = tracing.named("process default");
      expect(active).toBe(idsOf(run!).spanId);
      expect(parentOf(run!)).toBe(""); // the recovered job carried no context
      await verk.enqueue({ class: "Job", queue: "default", args: [] });
      await until(() => tracing.named("process default").length === 2);
      const [send] = tracing.named("send default");
      const second = tracing.named("process default").find((s) => s !== run)!;
      expect(parentOf(second)).toBe(idsOf(send!).spanId);
    } finally {
      await verk.stop({ timeout: 500 });
      propagation.disable();
    }
  });
});

import { createVerk, defineWorker, MemoryStore, sleep } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { events, type ReceivedEvent, subscribeEvents } from "../src/index.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const fx = useRedis();

function node(plugin: ReturnType<typeof events>, done: { n: number }, nodeId?: string) {
  const Work = defineWorker("Work", async (fail: boolean) => {
    done.n++;
    if (fail) throw new Error("nope");
  });
  return createVerk({
    store: redisStore({ url: fx.url }),
    queues: { default: 4 },
    workers: [Work],
    plugins: [plugin],
    logger: quiet,
    ...(nodeId ? { nodeId } : {}),
  } as never);
}

describe("handler isolation", () => {
  it("a throwing or rejecting handler never breaks jobs or other handlers; keep vs detach", async () => {
    for (const policy of ["keep", "detach"] as const) {
      await fx.redis.flushall();
      const ev = events({ onHandlerError: policy });
      const done = { n: 0 };
      const verk = node(ev, done);
      const good: string[] = [];
      let throwing = 0;
      let rejecting = 0;
      const errors: { event: string; detached: boolean }[] = [];
      ev.bus.on("job:finished", () => {
        throwing++;
        throw new Error("sync boom");
      });
      ev.bus.on("job:finished", async () => {
        rejecting++;
        throw new Error("async boom");
      });
      ev.bus.on("job:finished", (e) => {
        good.push(e.job.jid);
      });
      ev.bus.on("handler:error", (e) => {
        errors.push({ event: e.event, detached: e.detached });
      });
      await verk.start();
      for (let i = 0; i < 5; i++) await verk.enqueue({ class: "Work", args: [false], queue: "default" });
      await until(() => good.length === 5);
      await verk.stop();
      expect(done.n).toBe(5);
      expect(await fx.redis.llen("queue:default")).toBe(0);
      expect(await fx.redis.zcard("retry")).toBe(0); // no job failed because of a handler
      if (policy === "keep") {
        expect(throwing).toBe(5);
        expect(rejecting).toBe(5);
        expect(errors).toHaveLength(10);
        expect(errors.every((e) => !e.detached && e.event === "job:finished")).toBe(true);
      } else {
        expect(throwing).toBe(1);
        expect(rejecting).toBe(1);
        expect(errors).toHaveLength(2);
        expect(errors.every((e) => e.detached)).toBe(true);
        expect(ev.bus.listenerCount("job:finished")).toBe(1);
      }
    }
  });

  it("a slow async handler does not block fetching; its bounded buffer drops the oldest and counts", async () => {
    const ev = events({ bufferSize: 3 });
    const done = { n: 0 };
    const verk = node(ev, done);
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    ev.bus.on("job:finished", async (e) => {
      await gate;
      seen.push(String(e.job.args[0]));
    });
    let fast = 0;
    ev.bus.on("job:finished", () => {
      fast++;
    });
    await verk.start();
    await verk.enqueueBulk(
      Array.from({ length: 20 }, () => ({ class: "Work", args: [false], queue: "default" })),
    );
    await until(() => fast === 20); // all jobs ran while the slow handler was stuck on its first event
    expect(done.n).toBe(20);
    expect(ev.bus.dropped).toBe(16); // 1 running + 3 buffered, 16 dropped
    expect(ev.bus.lanes("job:finished")[0]).toEqual({ pending: 4, dropped: 16 });
    release();
    await until(() => seen.length === 4);
    await verk.stop();
  });

  it("payloads carry job, queue, timestamps, error and duration", async () => {
    const ev = events();
    const done = { n: 0 };
    const verk = node(ev, done);
    const failed: unknown[] = [];
    const finished: unknown[] = [];
    ev.bus.on("job:failed", (e) => {
      failed.push(e);
    });
    ev.bus.on("job:finished", (e) => {
      finished.push(e);
    });
    await verk.start();
    await verk.enqueue({ class: "Work", args: [true], queue: "default", retry: 1 });
    await verk.enqueue({ class: "Work", args: [false], queue: "default" });
    await until(() => failed.length === 1 && finished.length === 1);
    await verk.stop();
    expect(failed[0]).toMatchObject({ queue: "default", outcome: "retry", job: { class: "Work" } });
    expect((failed[0] as { error: Error }).error.message).toBe("nope");
    expect(typeof (failed[0] as { durationMs: number }).durationMs).toBe("number");
    expect(typeof (finished[0] as { at: number }).at).toBe("number");
    expect((finished[0] as { startedAt: number }).startedAt).toBeGreaterThan(0);
  });
});

describe("cross-node events", () => {
  it("two nodes publish; subscribeEvents in another process-like client follows both, errors serialized", async () => {
    const reader = redisStore({ url: fx.url });
    const sub = subscribeEvents(reader, { from: "$", blockMs: 100 });
    const received: ReceivedEvent[] = [];
    const consuming = (async () => {
      for await (const e of sub) received.push(e);
    })();
    await sleep(50);
    const done = { n: 0 };
    const a = node(events({ publish: true }), done, "node-a");
    const b = node(events({ publish: { maxLen: 1000 } }), done, "node-b");
    await a.start();
    await b.start();
    await a.enqueueBulk(
      Array.from({ length: 6 }, (_, i) => ({
        class: "Work",
        args: [i === 0],
        queue: "default",
        retry: false,
      })),
    );
    await until(() => done.n === 6);
    await a.stop();
    await b.stop();
    await until(() => received.filter((e) => e.event === "node:down").length === 2);
    await sub.close();
    await consuming;
    await reader.close();
    const nodes = new Set(received.map((e) => e.nodeId));
    expect(nodes).toEqual(new Set(["node-a", "node-b"]));
    expect(received.filter((e) => e.event === "node:up")).toHaveLength(2);
    const ends = received.filter((e) => e.event === "job:finished" || e.event === "job:failed");
    expect(ends).toHaveLength(6);
    const fail = received.find((e) => e.event === "job:failed")!;
    expect(fail.payload.error).toMatchObject({ name: "Error", message: "nope" });
    expect((fail.payload.job as { class: string }).class).toBe("Work");
    // Replay from the start of the log gives the same events in order.
    const replayStore = redisStore({ url: fx.url });
    const replay = subscribeEvents(replayStore, { from: "0", blockMs: 50 });
    const again: ReceivedEvent[] = [];
    for await (const e of replay) {
      again.push(e);
      if (again.length === received.length) break;
    }
    await replay.close();
    await replayStore.close();
    expect(again.map((e) => e.id)).toEqual(received.map((e) => e.id));
  });

  it("close() closes the store it was given, unless closeStore: false; unknown options are rejected", async () => {
    const owned = redisStore({ url: fx.url });
    const sub = subscribeEvents(owned, { blockMs: 50 });
    const ended = (async () => {
      for await (const _ of sub);
    })();
    await sleep(30);
    await sub.close();
    await ended;
    await expect(owned.counts()).rejects.toThrow(/closed/);
    const shared = redisStore({ url: fx.url });
    const kept = subscribeEvents(shared, { blockMs: 50, closeStore: false });
    const iterating = (async () => {
      for await (const _ of kept);
    })();
    await sleep(30);
    await kept.close();
    await iterating;
    expect((await shared.counts()).dead).toBe(0);
    await shared.close();
    expect(() => subscribeEvents(shared, { blockMS: 5 } as never)).toThrow(/blockMs/);
  });

  it("publish needs the eventLog capability", () => {
    const bare = Object.assign(Object.create(MemoryStore.prototype), { kind: "bare" });
    expect(() =>
      createVerk({ store: bare, queues: {}, workers: [], plugins: [events({ publish: true })] } as never),
    ).toThrow(/eventLog/);
    expect(() => events({ onHandlerError: "x" as never })).toThrow(/onHandlerError/);
  });
});

import { describe, expect, it } from "vitest";
import { assertKnownKeys, closestName } from "../src/known-keys.js";
import { MemoryStore } from "../src/memory-store.js";
import type { EnqueueOperation, PerformInfo, VerkPlugin } from "../src/plugin.js";
import { createVerk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

const until = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("aroundEnqueue", () => {
  it("sees every producer write and can add payload fields before encoding", async () => {
    const store = new MemoryStore();
    const seen: EnqueueOperation["kind"][] = [];
    const tracer: VerkPlugin = {
      name: "tracer",
      async aroundEnqueue(operation, write) {
        seen.push(operation.kind);
        for (const job of operation.jobs) job.traceparent = `tp-${operation.kind}`;
        await write();
      },
    };
    const verk = createVerk({ store, plugins: [tracer] });
    await verk.enqueue({ class: "A", queue: "q" });
    await verk.enqueueBulk([{ class: "B", queue: "q" }]);
    await verk.schedule({ class: "C", queue: "q" }, Date.now() + 60_000);
    expect(seen).toEqual(["enqueue", "enqueueBulk", "schedule"]);
    const queued = store.list("queue:q").map((raw) => JSON.parse(raw));
    expect(queued.map((j) => j.traceparent).sort()).toEqual(["tp-enqueue", "tp-enqueueBulk"]);
    const [scheduled] = [...store.sets.schedule.keys()].map((raw) => JSON.parse(raw));
    expect(scheduled.traceparent).toBe("tp-schedule");
  });

  it("wraps in plugin order, first outermost, and a failing write rejects the enqueue", async () => {
    const store = new MemoryStore();
    const order: string[] = [];
    const wrap = (name: string): VerkPlugin => ({
      name,
      async aroundEnqueue(_op, write) {
        order.push(`${name}>`);
        try {
          await write();
        } finally {
          order.push(`<${name}`);
        }
      },
    });
    const verk = createVerk({ store, plugins: [wrap("a"), wrap("b")] });
    await verk.enqueue({ class: "A", queue: "q" });
    expect(order).toEqual(["a>", "b>", "<b", "<a"]);
    store.push = async () => {
      throw new Error("down");
    };
    await expect(verk.enqueue({ class: "A", queue: "q" })).rejects.toThrow("down");
  });
});

describe("aroundPerform", () => {
  it("wraps each run and cannot change its recorded outcome", async () => {
    const store = new MemoryStore();
    const infos: PerformInfo[] = [];
    const errors: unknown[] = [];
    const swallower: VerkPlugin = {
      name: "swallower",
      async aroundPerform(info, run) {
        infos.push(info);
        try {
          await run();
        } catch (error) {
          errors.push(error); // swallowed on purpose: the job must still fail
        }
      },
    };
    const Ok = defineWorker("Ok", async () => {});
    const Bad = defineWorker("Bad", async () => {
      throw new Error("bad");
    });
    const verk = createVerk({
      store,
      queues: { q: 2 },
      workers: [Ok, Bad],
      plugins: [swallower],
      pollIntervalMs: 0,
    });
    const finished: string[] = [];
    const failed: string[] = [];
    verk.on("job:finished", (e) => {
      finished.push(e.job.class);
    });
    verk.on("job:failed", (e) => {
      failed.push(e.job.class);
    });
    await verk.start();
    try {
      await verk.enqueueBulk([
        { class: "Ok", queue: "q", retry: false },
        { class: "Bad", queue: "q", retry: false },
      ]);
      await until(() => finished.length + failed.length === 2);
      expect(finished).toEqual(["Ok"]);
      expect(failed).toEqual(["Bad"]);
      expect(errors).toHaveLength(1);
      expect(infos.map((i) => [i.job.class, i.queue, i.isolated, i.nodeId === verk.nodeId])).toEqual(
        expect.arrayContaining([
          ["Ok", "q", false, true],
          ["Bad", "q", false, true],
        ]),
      );
    } finally {
      await verk.stop({ timeout: 1_000 });
    }
  });
});

describe("assertKnownKeys", () => {
  it("names the unknown key and the closest known one", () => {
    expect(() => assertKnownKeys({ queus: {} }, ["store", "queues", "workers"], "createVerk")).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        field: "createVerk.queus",
        message: expect.stringContaining('did you mean "queues"?'),
      }),
    );
    expect(() => assertKnownKeys({ store: 1 }, ["store"], "x")).not.toThrow();
    expect(closestName("nmespace", ["namespace", "url"])).toBe("namespace");
    expect(closestName("zzzzzz", ["namespace", "url"])).toBeUndefined();
  });
});

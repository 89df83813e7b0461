import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk } from "../src/verk.js";

describe("pausing follows one rule for known queues", () => {
  it("refuses an unknown queue (no ghost queue), unless forced", async () => {
    const store = new MemoryStore();
    const verk = createVerk({ store });
    await verk.enqueue({ class: "W", queue: "mail" });
    const error = await verk.pauseQueue("nosuch").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNKNOWN_QUEUE", field: "queue" });
    expect((error as Error).message).toMatch(/unknown queue "nosuch".*known: mail.*force: true/);
    expect(await store.pausedQueues()).toEqual([]);
    await verk.pauseQueue("nosuch", { force: true });
    expect(await store.pausedQueues()).toEqual(["nosuch"]);
    await verk.resumeQueue("nosuch");
    expect(await store.pausedQueues()).toEqual([]);
    await expect(verk.resumeQueue("nosuch")).rejects.toMatchObject({ code: "UNKNOWN_QUEUE" });
  });

  it("accepts a queue with jobs, and one this node serves before its first job", async () => {
    const store = new MemoryStore();
    const verk = createVerk({ store, queues: { critical: 1 }, pollIntervalMs: 0 });
    await verk.enqueue({ class: "W", queue: "mail" });
    await verk.pauseQueue("mail");
    await verk.pauseQueue("critical");
    expect((await store.pausedQueues()).sort()).toEqual(["critical", "mail"]);
  });

  it("asks the store when it can tell that a live node serves the queue", async () => {
    const store = Object.assign(new MemoryStore(), {
      queueKnown: async (name: string) => name === "served-elsewhere",
    });
    const verk = createVerk({ store });
    await verk.pauseQueue("served-elsewhere");
    expect(await store.pausedQueues()).toEqual(["served-elsewhere"]);
    await expect(verk.pauseQueue("other")).rejects.toMatchObject({ code: "UNKNOWN_QUEUE" });
  });

  it("MemoryStore.queueKnown: a queue another live node serves is known before its first job; a ghost is not", async () => {
    const store = new MemoryStore();
    const worker = createVerk({ store, queues: { critical: 1 }, pollIntervalMs: 0 });
    await worker.start();
    const producer = createVerk({ store });
    expect(await store.queueKnown("critical")).toBe(true);
    expect(await store.queueKnown("nosuch")).toBe(false);
    await producer.pauseQueue("critical");
    await expect(producer.pauseQueue("nosuch")).rejects.toMatchObject({ code: "UNKNOWN_QUEUE" });
    await worker.stop();
    // Once its node stopped, a queue that never had a job is served by no one (still paused: known).
    expect(await store.queueKnown("critical")).toBe(true);
    await producer.resumeQueue("critical");
    expect(await store.queueKnown("critical")).toBe(false);
    expect(await store.pausedQueues()).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

describe("after stop()", () => {
  it("every call that needs the store rejects with INVALID_STATE saying the instance is stopped", async () => {
    const store = new MemoryStore();
    const W = defineWorker("W", async (_n: number) => {}, { queue: "q" });
    const verk = createVerk({ store, workers: [W], queues: { q: 1 }, pollIntervalMs: 0 });
    await verk.start();
    await verk.stop();
    const calls: [string, () => Promise<unknown>][] = [
      ["enqueue", () => verk.enqueue({ class: "W", queue: "q" })],
      ["enqueueBulk", () => verk.enqueueBulk([{ class: "W", queue: "q" }])],
      ["schedule", () => verk.schedule({ class: "W", queue: "q" }, Date.now() + 60_000)],
      ["scheduleBulk", () => verk.scheduleBulk([{ job: { class: "W" }, at: Date.now() + 60_000 }])],
      ["pauseQueue", () => verk.pauseQueue("q")],
      ["resumeQueue", () => verk.resumeQueue("q")],
      ["addQueue", () => verk.addQueue("other", 1)],
      ["connect", () => verk.connect()],
      ["enqueue", () => W.enqueue(1)],
    ];
    for (const [what, call] of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error, what).toMatchObject({ code: "INVALID_STATE" });
      expect((error as Error).message, what).toBe(
        `cannot ${what}: this Verk instance is stopped (stop() closed its store); create a new one with createVerk()`,
      );
    }
    expect(store.list("queue:q")).toEqual([]);
    expect(await store.pausedQueues()).toEqual([]);
  });

  it("a producer-only instance that was stopped refuses too, and stop() stays idempotent", async () => {
    const verk = createVerk({ store: new MemoryStore() });
    await verk.enqueue({ class: "W", queue: "q" });
    await verk.stop();
    await verk.stop();
    await expect(verk.enqueue({ class: "W", queue: "q" })).rejects.toMatchObject({ code: "INVALID_STATE" });
  });
});

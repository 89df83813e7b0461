import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { MIN_EPOCH_MS, resolveRunAt } from "../src/run-at.js";
import { createVerk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

describe("run times are a Date or epoch milliseconds; epoch seconds are refused", () => {
  it("verk.schedule refuses epoch seconds with a typed error instead of running the job at once", async () => {
    const store = new MemoryStore();
    const verk = createVerk({ store });
    const seconds = Math.floor(Date.now() / 1000) + 3_600;
    const error = await verk.schedule({ class: "W", queue: "q" }, seconds).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INVALID_OPTION", field: "at" });
    expect((error as Error).message).toContain("looks like epoch seconds");
    expect((error as Error).message).toContain(String(seconds * 1000));
    expect(store.list("queue:q")).toEqual([]);
    expect(store.sets.schedule.size).toBe(0);
  });

  it("scheduleBulk names the entry and writes nothing; scheduleAt refuses seconds too", async () => {
    const store = new MemoryStore();
    const W = defineWorker("W", async (_n: number) => {}, { queue: "q" });
    const verk = createVerk({ store, workers: [W] });
    await expect(
      verk.scheduleBulk([
        { job: { class: "W", queue: "q" }, at: Date.now() + 60_000 },
        { job: { class: "W", queue: "q" }, at: 1_800_000_000 },
      ]),
    ).rejects.toMatchObject({ code: "INVALID_OPTION", field: "jobs[1].at" });
    await expect(W.scheduleAt(1_800_000_000, 1)).rejects.toMatchObject({ field: "at" });
    await expect(W.scheduleIn(-5, 1)).rejects.toMatchObject({ field: "delayMs" });
    expect(store.sets.schedule.size).toBe(0);
    expect(store.list("queue:q")).toEqual([]);
  });

  it("accepts a Date and epoch milliseconds; a past time enqueues at once", async () => {
    const store = new MemoryStore();
    const verk = createVerk({ store });
    await verk.schedule({ class: "W", queue: "q" }, new Date(Date.now() + 60_000));
    await verk.schedule({ class: "W", queue: "q" }, Date.now() + 120_000);
    await verk.schedule({ class: "W", queue: "q" }, Date.now() - 1_000);
    expect(store.sets.schedule.size).toBe(2);
    expect(store.list("queue:q")).toHaveLength(1);
    expect(resolveRunAt(MIN_EPOCH_MS)).toBe(MIN_EPOCH_MS);
    expect(() => resolveRunAt(new Date("nope"))).toThrow(/invalid Date/);
    expect(() => resolveRunAt("2030-01-01")).toThrow(/must be a Date or epoch milliseconds/);
  });
});

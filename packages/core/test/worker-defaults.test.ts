import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

function setup() {
  const store = new MemoryStore();
  const Report = defineWorker("Report", async (_id: number) => {}, { queue: "reports", retry: 3 });
  const verk = createVerk({ store, workers: [Report] });
  const queued = (queue: string) => store.list(`queue:${queue}`).map((raw) => JSON.parse(raw));
  const scheduled = () => [...store.sets.schedule.keys()].map((raw) => JSON.parse(raw));
  return { store, Report, verk, queued, scheduled };
}

describe("a registered class's worker options apply to every enqueue of that class", () => {
  it("verk.enqueue, enqueueBulk, schedule and scheduleBulk take queue and retry from the worker", async () => {
    const { verk, queued, scheduled } = setup();
    await verk.enqueue({ class: "Report", args: [1] });
    await verk.enqueueBulk([{ class: "Report", args: [2] }]);
    await verk.schedule({ class: "Report", args: [3] }, Date.now() + 60_000);
    await verk.scheduleBulk([{ job: { class: "Report", args: [4] }, at: Date.now() + 60_000 }]);
    expect(queued("reports").map((j) => [j.args[0], j.queue, j.retry])).toEqual([
      [2, "reports", 3],
      [1, "reports", 3],
    ]);
    expect(scheduled().map((j) => [j.queue, j.retry])).toEqual([
      ["reports", 3],
      ["reports", 3],
    ]);
    expect(queued("default")).toEqual([]);
  });

  it("explicit job fields win; unregistered classes keep Sidekiq's defaults", async () => {
    const { verk, queued } = setup();
    await verk.enqueue({ class: "Report", queue: "urgent", retry: false, args: [1] });
    await verk.enqueue({ class: "Other", args: [] });
    expect(queued("urgent")[0]).toMatchObject({ queue: "urgent", retry: false });
    expect(queued("default")[0]).toMatchObject({ class: "Other", queue: "default", retry: true });
    expect(verk.jobWithDefaults({ class: "Report" })).toEqual({
      class: "Report",
      queue: "reports",
      retry: 3,
    });
  });

  it("the typed shortcut takes per-call queue, retry, jid, at and in, and has a typed bulk form", async () => {
    const { Report, queued, scheduled } = setup();
    const jid = await Report.with({ queue: "low", retry: 0, jid: "a".repeat(24) }).enqueue(7);
    expect(jid).toBe("a".repeat(24));
    expect(queued("low")[0]).toMatchObject({ args: [7], queue: "low", retry: 0, jid });
    const jids = await Report.enqueueBulk([[1], [2], [3]]);
    expect(jids).toHaveLength(3);
    expect(queued("reports").map((j) => j.args[0])).toEqual([3, 2, 1]);
    expect(queued("reports").map((j) => j.jid)).toEqual([...jids].reverse());
    const before = Date.now();
    await Report.with({ in: 60_000 }).enqueue(8);
    await Report.with({ at: new Date(before + 120_000), retry: 1 }).enqueueBulk([[9], [10]]);
    expect(scheduled().map((j) => [j.args[0], j.retry])).toEqual(
      expect.arrayContaining([
        [8, 3],
        [9, 1],
        [10, 1],
      ]),
    );
  });

  it("rejects bad per-call options before writing anything", async () => {
    const { Report, store } = setup();
    expect(() => Report.with({ at: Date.now() + 1_000, in: 5 })).toThrow(/either "at" or "in"/);
    expect(() => Report.with({ at: 1_700_000_000 })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", field: "at" }),
    );
    expect(() => Report.with({ retry: -1 })).toThrow(expect.objectContaining({ field: "retry" }));
    await expect(Report.with({ jid: "b".repeat(24) }).enqueueBulk([[1], [2]])).rejects.toMatchObject({
      code: "INVALID_OPTION",
      field: "jid",
    });
    expect(store.list("queue:reports")).toEqual([]);
  });
});

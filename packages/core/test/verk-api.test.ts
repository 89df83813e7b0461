import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

const store = () => new MemoryStore();

describe("createVerk options", () => {
  it.each([
    [{ queues: { default: 0 } }, "queues.default"],
    [{ queues: { default: 2.5 } }, "queues.default"],
    [{ queues: { default: { concurrency: -1 } } }, "queues.default"],
    [{ fetchBlockMs: 0 }, "fetchBlockMs"],
    [{ maxRetries: -1 }, "maxRetries"],
    [{ dead: { maxJobs: 0 } }, "dead.maxJobs"],
    [{ nodeId: "" }, "nodeId"],
  ])("rejects %j naming %s", (options, field) => {
    expect(() => createVerk({ store: store(), ...(options as object) })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", field }),
    );
  });

  it("requires a store", () => {
    expect(() => createVerk({} as never)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", field: "store" }),
    );
  });
});

describe("producer API", () => {
  it("enqueues Sidekiq payloads without starting any queue", async () => {
    const memory = store();
    const verk = createVerk({ store: memory });
    const jid = await verk.enqueue({ class: "W", queue: "mail", args: [1] });
    const [raw] = memory.list("queue:mail");
    const job = JSON.parse(raw!);
    expect(job).toMatchObject({ class: "W", queue: "mail", args: [1], jid, retry: true });
    expect(job.enqueued_at).toBeGreaterThanOrEqual(job.created_at);
    expect(memory.queueNames.has("mail")).toBe(true);
    expect(verk.state).toBe("idle");
  });

  it("schedules in the future, and enqueues at once for a past time", async () => {
    const memory = store();
    const verk = createVerk({ store: memory });
    await verk.schedule({ class: "W", queue: "q" }, new Date(Date.now() + 60_000));
    const [raw, at] = [...memory.sets.schedule.entries()][0]!;
    expect(JSON.parse(raw).enqueued_at).toBeUndefined();
    expect(at).toBeCloseTo(Date.now() / 1000 + 60, 0);
    await verk.schedule({ class: "W", queue: "q" }, Date.now() - 1);
    expect(memory.list("queue:q")).toHaveLength(1);
  });

  it("rejects payloads over maxPayloadBytes", async () => {
    const verk = createVerk({ store: store(), maxPayloadBytes: 100 });
    await expect(verk.enqueue({ class: "W", queue: "q", args: ["x".repeat(200)] })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
  });

  it("binds typed worker shortcuts to the instance", async () => {
    const memory = store();
    const Add = defineWorker("Add", (a: number, b: number) => a + b, { queue: "math", retry: 3 });
    await expect(Add.enqueue(1, 2)).rejects.toMatchObject({ code: "WORKER_NOT_BOUND" });
    createVerk({ store: memory, workers: [Add] });
    await Add.enqueue(1, 2);
    expect(JSON.parse(memory.list("queue:math")[0]!)).toMatchObject({ class: "Add", args: [1, 2], retry: 3 });
    await Add.scheduleIn(60_000, 3, 4);
    expect(memory.sets.schedule.size).toBe(1);
  });

  it("rejects two workers with one name, and bad worker options", () => {
    const a = defineWorker("Same", () => {});
    const b = defineWorker("Same", () => {});
    expect(() => createVerk({ store: store(), workers: [a, b] })).toThrow(
      expect.objectContaining({ code: "DUPLICATE_WORKER" }),
    );
    expect(() => defineWorker("T", () => {}, { timeout: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", field: "timeout" }),
    );
  });
});

describe("queues at run time", () => {
  it("adds, removes and reports queues; removing an unknown queue throws", async () => {
    let ran = 0;
    const W = defineWorker("W", () => {
      ran++;
    });
    const memory = store();
    const verk = createVerk({ store: memory, queues: { a: 2 }, workers: [W], fetchBlockMs: 50 });
    await verk.start();
    await expect(verk.start()).rejects.toMatchObject({ code: "INVALID_STATE" });
    await verk.addQueue("b", 3);
    await expect(verk.addQueue("b", 3)).rejects.toMatchObject({ code: "QUEUE_EXISTS" });
    expect(verk.queues().map((q) => [q.name, q.concurrency, q.status])).toEqual([
      ["a", 2, "running"],
      ["b", 3, "running"],
    ]);
    await verk.enqueue({ class: "W", queue: "b" });
    for (let i = 0; i < 100 && ran === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ran).toBe(1);
    await verk.removeQueue("b");
    await expect(verk.removeQueue("nope")).rejects.toMatchObject({ code: "UNKNOWN_QUEUE" });
    expect(verk.queues().map((q) => q.name)).toEqual(["a"]);
    await verk.enqueue({ class: "W", queue: "b" });
    await new Promise((r) => setTimeout(r, 100));
    expect(memory.list("queue:b")).toHaveLength(1);
    await verk.stop();
    expect(verk.state).toBe("stopped");
  });

  it("emits queue:pausing then queue:paused once running jobs finish", async () => {
    let release!: () => void;
    const Block = defineWorker("Block", () => new Promise<void>((resolve) => (release = resolve)));
    const verk = createVerk({ store: store(), queues: { p: 1 }, workers: [Block], fetchBlockMs: 50 });
    const events: string[] = [];
    verk.on("queue:pausing", () => {
      events.push("pausing");
    });
    verk.on("queue:paused", () => {
      events.push("paused");
    });
    await verk.start();
    await verk.enqueue({ class: "Block", queue: "p" });
    for (let i = 0; i < 100 && verk.queues()[0]!.running === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    await verk.pauseQueue("p");
    expect(events).toEqual(["pausing"]);
    release();
    for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(["pausing", "paused"]);
    await verk.stop();
  });

  it("contains a listener that throws", async () => {
    let done = 0;
    const W = defineWorker("W", () => {});
    const verk = createVerk({
      store: store(),
      queues: { l: 1 },
      workers: [W],
      fetchBlockMs: 50,
      logLevel: "silent",
    });
    verk.on("job:started", () => {
      throw new Error("listener bug");
    });
    verk.on("job:finished", () => {
      done++;
    });
    const errors: string[] = [];
    verk.on("error", (e) => {
      errors.push(e.context);
    });
    await verk.start();
    await verk.enqueue({ class: "W", queue: "l" });
    for (let i = 0; i < 100 && done === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(1);
    expect(errors).toEqual(["listener:job:started"]);
    await verk.stop();
  });
});

describe("scheduleBulk", () => {
  it("schedules each job at its own time, enqueues past ones, and validates everything first", async () => {
    const memory = store();
    const verk = createVerk({ store: memory });
    const now = Date.now();
    const jids = await verk.scheduleBulk([
      { job: { class: "A", queue: "q" }, at: now + 60_000 },
      { job: { class: "B", queue: "q" }, at: new Date(now + 120_000) },
      { job: { class: "C", queue: "q" }, at: now - 1_000 },
    ]);
    expect(jids).toHaveLength(3);
    const scheduled = [...memory.sets.schedule].map(([raw, at]) => [JSON.parse(raw).class, at]);
    expect(scheduled.sort()).toEqual([
      ["A", expect.closeTo((now + 60_000) / 1000, 2)],
      ["B", expect.closeTo((now + 120_000) / 1000, 2)],
    ]);
    expect(memory.list("queue:q").map((raw) => JSON.parse(raw).class)).toEqual(["C"]);
    await expect(
      verk.scheduleBulk([
        { job: { class: "A", queue: "q" }, at: now + 1_000 },
        { job: { class: "", queue: "q" }, at: now + 1_000 },
      ]),
    ).rejects.toMatchObject({ code: "INVALID_JOB", field: "jobs[1].class" });
    expect(memory.sets.schedule.size).toBe(2);
  });
});

import { describe, expect, it } from "vitest";
import { canonicalJson, uniqueDigest } from "../src/flow/digest.js";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

const noop = async () => {};

describe("flow-control options are validated, naming the problem", () => {
  it.each([
    [{ unique: { for: 0 } }, "unique.for", "positive number of seconds"],
    [{ unique: { for: 60, until: "end" } }, "unique.until", '"success" or "start"'],
    [{ unique: { for: 60, keys: () => 1 } }, "unique.keys", 'did you mean "key"'],
    [{ unique: 60 }, "unique", "{ for: 60 }"],
    [{ limit: {} }, "limit", '"concurrency", or "rate" with "per"'],
    [{ limit: { concurrency: 1.5 } }, "limit.concurrency", "integer >= 1"],
    [{ limit: { rate: 10 } }, "limit", '"rate" and "per" go together'],
    [{ limit: { rate: 10, per: 0 } }, "limit.per", "milliseconds >= 1"],
    [{ limit: { concurrency: 2, key: "customer" } }, "limit.key", "function"],
    [{ expiresIn: -1 }, "expiresIn", "positive number of milliseconds"],
  ])("defineWorker options %j: field %s", (options, field, text) => {
    let thrown: unknown;
    try {
      defineWorker("W", noop, options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "INVALID_OPTION", field });
    expect((thrown as Error).message).toContain(text);
    expect((thrown as Error).message).toContain('worker "W"');
  });

  it("per-enqueue unique / expiresIn are checked like job fields, and with() checks them too", async () => {
    const W = defineWorker("W", noop);
    const verk = createVerk({ store: new MemoryStore(), workers: [W] });
    await expect(verk.enqueue({ class: "W", unique: { for: -1 } })).rejects.toMatchObject({
      code: "INVALID_JOB",
      field: "unique.for",
    });
    await expect(verk.enqueue({ class: "W", expiresIn: "soon" as never })).rejects.toMatchObject({
      code: "INVALID_JOB",
      field: "expiresIn",
    });
    expect(() => W.with({ unique: { for: 1, until: "never" as never } })).toThrow(/unique.until/);
    expect(() => W.with({ expiresIn: 0 })).toThrow(/expiresIn/);
  });

  it("unique jobs and limits need a store with the flow capability: typed errors, nothing written", async () => {
    const store = new MemoryStore();
    const Unique = defineWorker("Unique", noop, { unique: { for: 60 } });
    const producer = createVerk({ store, workers: [Unique] });
    await expect(Unique.enqueue()).rejects.toMatchObject({ code: "INVALID_OPTION", field: "unique" });
    await expect(producer.enqueue({ class: "Other", unique: { for: 5 } })).rejects.toThrow(
      /"flow" capability/,
    );
    expect(store.list("queue:default")).toEqual([]);
    // Jobs that are not unique still enqueue on such a store.
    expect(await producer.enqueue({ class: "Other" })).toMatch(/^[0-9a-f]{24}$/);
    const Limited = defineWorker("Limited", noop, { limit: { concurrency: 1 } });
    const node = createVerk({ store: new MemoryStore(), workers: [Limited], queues: { default: 1 } });
    await expect(node.start()).rejects.toMatchObject({ code: "INVALID_OPTION", field: "limit" });
  });

  it("expiring jobs work on any store: skipped, reported, never run", async () => {
    const store = new MemoryStore();
    const ran: string[] = [];
    const Report = defineWorker("Report", async (n: string) => void ran.push(n));
    const verk = createVerk({ store, workers: [Report], queues: { default: 2 }, fetchBlockMs: 20 });
    const expired: string[] = [];
    verk.on("job:expired", (e) => void expired.push(e.job.args[0] as string));
    await Report.with({ expiresIn: 1 }).enqueue("old");
    await Report.with({ expiresIn: 60_000 }).enqueue("new");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await verk.start();
    const deadline = Date.now() + 5_000;
    while ((ran.length < 1 || expired.length < 1) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await verk.stop();
    expect(ran).toEqual(["new"]);
    expect(expired).toEqual(["old"]);
  });
});

describe("the unique digest", () => {
  it("ignores object key order, differs by class, queue and args", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    const base = uniqueDigest("W", "q", [{ a: 1, b: 2 }]);
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    expect(uniqueDigest("W", "q", [{ b: 2, a: 1 }])).toBe(base);
    expect(uniqueDigest("X", "q", [{ a: 1, b: 2 }])).not.toBe(base);
    expect(uniqueDigest("W", "r", [{ a: 1, b: 2 }])).not.toBe(base);
    expect(uniqueDigest("W", "q", [{ a: 1, b: 3 }])).not.toBe(base);
  });

  it("the payload keeps the unique fields Sidekiq Enterprise uses, and the input keys are not stored", () => {
    const W = defineWorker("W", noop, { unique: { for: 30, until: "start" }, expiresIn: 1_000 });
    const verk = createVerk({ store: new MemoryStore(), workers: [W] });
    const { payload, lock } = verk.preparePush({ class: "W", args: [1] });
    expect(payload).toMatchObject({ unique_for: 30, unique_until: "start" });
    expect(payload.unique_digest).toBe(uniqueDigest("W", "default", [1]));
    expect(lock).toEqual({ digest: payload.unique_digest, ttlMs: 30_000 });
    expect((payload.expires_at as number) - (payload.enqueued_at as number)).toBeCloseTo(1, 2);
    const plain = verk.preparePush({ class: "W", args: [1], unique: false, expiresIn: 5 });
    expect(plain.lock).toBeUndefined();
    expect(plain.payload).not.toHaveProperty("unique");
    expect(plain.payload).not.toHaveProperty("expiresIn");
    expect(plain.payload).not.toHaveProperty("unique_digest");
  });
});

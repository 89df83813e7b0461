import { afterEach, describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk, type Verk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

const running: Verk[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((v) => v.stop({ timeout: 0 })));
});
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe("a backoff function that throws", () => {
  it("falls back to the default backoff, emits error, and the queue keeps running", async () => {
    const store = new MemoryStore();
    let runs = 0;
    const Flaky = defineWorker(
      "Flaky",
      () => {
        runs++;
        throw new Error("handler failed");
      },
      {
        queue: "q",
        backoff: () => {
          throw new Error("backoff bug");
        },
      },
    );
    const Ok = defineWorker("Ok", () => {}, { queue: "q" });
    const verk = createVerk({
      store,
      queues: { q: 1 },
      workers: [Flaky, Ok],
      fetchBlockMs: 50,
      pollIntervalMs: 0,
      logger: silent,
    });
    running.push(verk);
    const errors: { context: string; error: unknown }[] = [];
    let finished = 0;
    verk.on("error", (e) => void errors.push(e));
    verk.on("job:finished", () => void finished++);
    await verk.enqueue({ class: "Flaky" });
    await verk.enqueue({ class: "Ok" });
    const started = Date.now() / 1000;
    await verk.start();
    const deadline = Date.now() + 5_000;
    while ((store.sets.retry.size === 0 || finished === 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    expect(runs).toBe(1);
    expect(finished).toBe(1);
    const [raw, at] = [...store.sets.retry.entries()][0]!;
    expect(JSON.parse(raw!)).toMatchObject({
      class: "Flaky",
      retry_count: 0,
      error_message: "handler failed",
    });
    // Sidekiq's default for the first retry: 15 + rand(10) seconds.
    expect(at! - started).toBeGreaterThanOrEqual(14);
    expect(at! - started).toBeLessThan(26);
    expect(errors).toEqual([
      { error: expect.objectContaining({ message: "backoff bug" }), context: "backoff", queue: "q" },
    ]);
    expect(store.list(MemoryStore.inProgressKey("q", verk.nodeId))).toEqual([]);
  });
});

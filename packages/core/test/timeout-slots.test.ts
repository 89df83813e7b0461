import { afterEach, describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk, type Verk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

const running: Verk[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((v) => v.stop({ timeout: 2_000 })));
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await wait(5);
  }
}

describe("a worker timeout never frees a slot while the handler still runs", () => {
  it("a concurrency-1 queue never has two handler bodies alive", async () => {
    const store = new MemoryStore();
    let alive = 0;
    let maxAlive = 0;
    let ended = 0;
    // Ignores its signal and outlives its 20 ms timeout by far, as CPU-bound or careless code does.
    const Slow = defineWorker(
      "Slow",
      async () => {
        alive++;
        maxAlive = Math.max(maxAlive, alive);
        await wait(150);
        alive--;
        ended++;
      },
      { queue: "one", timeout: 20 },
    );
    const verk = createVerk({
      store,
      queues: { one: 1 },
      workers: [Slow],
      fetchBlockMs: 50,
      pollIntervalMs: 0,
      logger: silent,
    });
    running.push(verk);
    for (let i = 0; i < 4; i++) await verk.enqueue({ class: "Slow", args: [i] });
    await verk.start();
    await until(() => ended === 4 && store.sets.retry.size === 4);
    expect(maxAlive).toBe(1);
    // Every run failed through the retry path with the timeout named.
    for (const raw of store.sets.retry.keys()) {
      expect(JSON.parse(raw)).toMatchObject({ class: "Slow", error_class: "JobTimeoutError" });
    }
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk, type Verk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

const running: Verk[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((v) => v.stop({ timeout: 0 })));
});
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe("queue runner slots", () => {
  it("runs at most `concurrency` handlers at once; a slot frees when the handler settles, before its ack lands", async () => {
    const store = new MemoryStore();
    // Acks take 20 ms: with slots freed only after the ack, 40 jobs at concurrency 4 would need 10 x 20 ms.
    const ack = store.ack.bind(store);
    let acksPending = 0;
    let maxAcksPending = 0;
    store.ack = async (...args: Parameters<MemoryStore["ack"]>) => {
      acksPending++;
      maxAcksPending = Math.max(maxAcksPending, acksPending);
      await new Promise((resolve) => setTimeout(resolve, 20));
      acksPending--;
      return ack(...args);
    };
    let now = 0;
    let max = 0;
    let done = 0;
    const work = defineWorker("W", async () => {
      now++;
      max = Math.max(max, now);
      await new Promise((resolve) => setTimeout(resolve, 1));
      now--;
    });
    const verk = createVerk({ store, queues: { q: 4 }, workers: [work], logger: silent, pollIntervalMs: 0 });
    running.push(verk);
    verk.on("job:finished", () => {
      done++;
    });
    await verk.enqueueBulk(Array.from({ length: 40 }, () => ({ class: "W", queue: "q" })));
    await verk.start();
    const deadline = Date.now() + 5_000;
    while (done < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(done).toBe(40);
    expect(max).toBeLessThanOrEqual(4);
    // Handlers went on while acks were pending, but never more than `concurrency` acks waited.
    expect(maxAcksPending).toBeGreaterThan(4);
    expect(maxAcksPending).toBeLessThanOrEqual(4 + 4);
    expect((await store.counts()).queues.q ?? 0).toBe(0);
  });
});

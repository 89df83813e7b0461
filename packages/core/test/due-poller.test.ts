import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("the built-in promoter of due jobs", () => {
  // The idle check is 10 s: a start well before it proves the promoter woke at the due time. How
  // close to it is measured by `pnpm bench --steps promote-late`, not here.
  it("starts a scheduled job at its due time, not at the next idle check (10 s)", async () => {
    const started: number[] = [];
    const W = defineWorker("W", () => {
      started.push(Date.now());
    });
    const verk = createVerk({
      store: new MemoryStore(),
      queues: { q: 2 },
      workers: [W],
      logger: silent,
      pollIntervalMs: 10_000,
    });
    await verk.start();
    try {
      const due = Date.now() + 300;
      await verk.schedule({ class: "W", queue: "q" }, due);
      const dueLater = Date.now() + 600;
      await verk.schedule({ class: "W", queue: "q" }, dueLater);
      await until(() => started.length === 2);
      expect(started[0]! - due).toBeGreaterThanOrEqual(0);
      expect(started[0]! - due).toBeLessThan(2_000);
      expect(started[1]! - dueLater).toBeGreaterThanOrEqual(0);
      expect(started[1]! - dueLater).toBeLessThan(2_000);
    } finally {
      await verk.stop({ timeout: 1_000 });
    }
  });

  it("promotes a retry this node wrote at its due time, not at the next idle check", async () => {
    const runs: number[] = [];
    const Flaky = defineWorker(
      "Flaky",
      () => {
        runs.push(Date.now());
        if (runs.length === 1) throw new Error("once");
      },
      { backoff: () => 0.2 },
    );
    const verk = createVerk({
      store: new MemoryStore(),
      queues: { q: 1 },
      workers: [Flaky],
      logger: silent,
      pollIntervalMs: 10_000,
    });
    await verk.start();
    try {
      await verk.enqueue({ class: "Flaky", queue: "q" });
      await until(() => runs.length === 2);
      expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(190);
      expect(runs[1]! - runs[0]!).toBeLessThan(2_000);
    } finally {
      await verk.stop({ timeout: 1_000 });
    }
  });
});

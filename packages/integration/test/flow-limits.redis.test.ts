import { defineWorker, livenessLoops, sleep, type Verk, type WorkerDefinition } from "@verk/core";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { maxInWindow } from "./flow-helpers.js";
import { node } from "./helpers.js";

/**
 * Tolerance of the rate test, ms: a window is checked at `per` minus this. The store admits starts
 * by the Redis clock; a handler starts a fetch reply (and an event-loop turn) later, and that lag
 * varies per job on a busy machine, so a window of handler start times can be shifted by it.
 */
const START_JITTER_MS = 50;

describe.each(["sidekiq", "cluster"] as const)(
  "class-wide limits across 3 instances (%s key layout)",
  (layout) => {
    const r = useRedis();
    const fleet = (worker: WorkerDefinition<never>, concurrency = 10): Verk[] =>
      [1, 2, 3].map((i) =>
        node(
          r.url,
          { workers: [worker], queues: { default: concurrency }, nodeId: `n${i}-${layout}` },
          { layout },
        ),
      );

    it("a concurrency limit of 3 never has a 4th job running, and runs 3 at once", async () => {
      let running = 0;
      let peak = 0;
      let done = 0;
      const Call = defineWorker(
        "Call",
        async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(30);
          running--;
          done++;
        },
        { limit: { concurrency: 3 } },
      );
      const nodes = fleet(Call);
      const failed: string[] = [];
      for (const n of nodes) n.on("job:failed", (e) => void failed.push(e.job.jid));
      await Promise.all(nodes.map((n) => n.start()));
      await nodes[0]!.enqueueBulk(Array.from({ length: 45 }, () => ({ class: "Call" })));
      await until(async () => done === 45, 15_000, "45 jobs done");
      expect(peak).toBe(3);
      expect(failed).toEqual([]); // waiting for a slot is not a failure
      const counters = await nodes[0]!.store.capabilities!.flow!.counters(["default"]);
      expect(counters.default!.limited).toBeGreaterThan(0);
      const running_ = layout === "cluster" ? "verk:{default}:limit:Call:running" : "verk:limit:Call:running";
      await until(async () => (await r.redis.zcard(running_)) === 0, 5_000, "every slot released");
    });

    it("a 20/s rate limit: at most 20 starts in any 1 s window, and at least 90 % of the rate", async () => {
      const starts: number[] = [];
      const Call = defineWorker("Call", async () => void starts.push(Date.now()), {
        limit: { rate: 20, per: 1_000 },
      });
      const nodes = fleet(Call, 25);
      await Promise.all(nodes.map((n) => n.start()));
      await nodes[0]!.enqueueBulk(Array.from({ length: 80 }, () => ({ class: "Call" })));
      await until(async () => starts.length >= 70, 15_000, "70 starts");
      expect(maxInWindow(starts, 1_000 - START_JITTER_MS)).toBeLessThanOrEqual(20);
      const first = Math.min(...starts);
      const inThreeSeconds = starts.filter((t) => t < first + 3_000).length;
      expect(inThreeSeconds).toBeGreaterThanOrEqual(54); // 90 % of 60
    });

    it("a node that stops beating while it holds slots releases them within its TTL", async () => {
      const liveness = { heartbeatMs: 100, nodeTtlMs: 500, maxEventLoopBlockMs: 0 };
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const Hold = defineWorker("Hold", async () => gate, { limit: { concurrency: 2 } });
      // a runs 2 at a time: once it holds both slots it does not fetch again (a suspended node's
      // runner would otherwise keep fetching and retake the slots it no longer renews).
      const a = node(r.url, { workers: [Hold], queues: { default: 2 }, nodeId: "a", liveness }, { layout });
      const b = node(r.url, { workers: [Hold], queues: { default: 5 }, nodeId: "b", liveness }, { layout });
      const onB: number[] = [];
      b.on("job:started", () => void onB.push(Date.now()));
      await a.start();
      await a.enqueueBulk(Array.from({ length: 4 }, () => ({ class: "Hold" })));
      await until(async () => a.runningJobs().length === 2, 5_000, "a holds both slots");
      await b.start();
      const flow = b.store.capabilities!.flow!;
      // b re-checks about every 100 ms (fetchBlockMs): 8 checks span more than the 500 ms TTL, so a
      // still holds the slots only because its beats renew them.
      const heldBack = async () => (await flow.counters(["default"])).default!.limited;
      await until(async () => (await heldBack()) >= 8, 5_000, "b held back past a's TTL");
      expect(onB).toEqual([]);
      const suspendedAt = Date.now();
      livenessLoops.get("a")!.suspend();
      await until(async () => onB.length === 2, 5_000, "b takes the slots");
      // Within the TTL, plus b's wait for its next fetch (fetchBlockMs 100) and scheduling slack.
      expect(onB[0]! - suspendedAt).toBeLessThan(liveness.nodeTtlMs + 400);
      livenessLoops.get("a")?.resume();
      release();
    });
  },
);

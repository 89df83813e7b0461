import { defineWorker } from "@verk/core";
import { scheduler } from "@verk/scheduler";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node } from "./helpers.js";

describe.each(["sidekiq", "cluster"] as const)(
  "cron jobs take the class's flow-control options (%s key layout)",
  (layout) => {
    const r = useRedis();

    it("a unique periodic job is not enqueued again while its previous run holds the lock; expiresIn is stamped", async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let runs = 0;
      const Sweep = defineWorker(
        "Sweep",
        async () => {
          runs++;
          if (runs === 1) await gate;
        },
        { unique: { for: 60 }, expiresIn: 30_000 },
      );
      const verk = node(
        r.url,
        {
          workers: [Sweep],
          queues: { default: 2 },
          plugins: [scheduler({ cron: [{ name: "sweep", every: 100, job: { class: "Sweep" } }] })],
        },
        { layout },
      );
      const enqueued: Record<string, unknown>[] = [];
      verk.on("job:started", (e) => void enqueued.push(e.job));
      await verk.start();
      await until(async () => runs === 1, 10_000, "the first tick runs");
      const queue = layout === "cluster" ? "verk:{default}:queue" : "queue:default";
      const once = layout === "cluster" ? "verk:{default}:once:cron:sweep:*" : "verk:once:cron:sweep:*";
      // Ticks pass (their markers are claimed) while the first run holds the lock: nothing is enqueued.
      await until(async () => (await r.redis.keys(once)).length >= 4, 10_000, "three more ticks");
      expect(await r.redis.llen(queue)).toBe(0);
      expect(runs).toBe(1);
      release();
      await until(async () => runs >= 2, 10_000, "a tick after the run succeeded");
      const first = enqueued[0]!;
      expect(first).toMatchObject({ class: "Sweep", cron: "sweep", unique_for: 60 });
      expect((first.expires_at as number) - (first.enqueued_at as number)).toBeCloseTo(30, 1);
    });
  },
);

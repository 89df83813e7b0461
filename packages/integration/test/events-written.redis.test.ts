import { defineWorker, type VerkEventMap } from "@verk/core";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node } from "./helpers.js";

/** A worker that waits for `release()` before it returns (or throws, with `fail`). */
function gated(name: string, fail: boolean) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started = false;
  const worker = defineWorker(
    name,
    async () => {
      started = true;
      await gate;
      if (fail) throw new Error("failed after its entry was taken");
    },
    { queue: "q" },
  );
  return { worker, release, started: () => started };
}

describe("job events report only what was written", () => {
  const redis = useRedis();

  it.each([
    ["a handler that resolved", false, "ack"],
    ["a handler that failed", true, "retry"],
  ] as const)(
    "%s after its job left the in-progress list: job:unacked, no job:finished/failed",
    async (_what, fail, outcome) => {
      const { worker, release, started } = gated("Gated", fail);
      const verk = node(redis.url, { nodeId: "n1", queues: { q: 1 }, workers: [worker] });
      const seen: string[] = [];
      let unacked: VerkEventMap["job:unacked"] | undefined;
      verk.on("job:finished", () => void seen.push("finished"));
      verk.on("job:failed", () => void seen.push("failed"));
      verk.on("job:unacked", (e) => {
        seen.push("unacked");
        unacked = e;
      });
      await verk.start();
      await verk.enqueue({ class: "Gated", queue: "q" });
      await until(started, 10_000, "the handler to start");
      // Another node recovered the job meanwhile (as after a missed heartbeat): its entry is gone.
      const [entry] = await redis.redis.lrange("inprogress:q:n1", 0, -1);
      expect(await redis.redis.lrem("inprogress:q:n1", 1, entry!)).toBe(1);
      release();
      await until(() => seen.length > 0, 10_000, "an event");
      await until(() => verk.runningJobs().length === 0);
      expect(seen).toEqual(["unacked"]);
      expect(unacked).toMatchObject({ queue: "q", nodeId: "n1", outcome, reason: "not-in-progress" });
      expect(unacked!.job.class).toBe("Gated");
      expect(await redis.redis.zcard("retry")).toBe(0);
    },
  );

  it("job:finished follows a landed ack, job:failed a landed failure", async () => {
    const Ok = defineWorker("Ok", () => {}, { queue: "q" });
    const Bad = defineWorker(
      "Bad",
      () => {
        throw new Error("no");
      },
      { queue: "q" },
    );
    const verk = node(redis.url, { nodeId: "n2", queues: { q: 1 }, workers: [Ok, Bad] });
    const inProgressAt: Record<string, number> = {};
    verk.on("job:finished", () => {
      void redis.redis.llen("inprogress:q:n2").then((n) => {
        inProgressAt.finished = n;
      });
    });
    verk.on("job:failed", () => {
      void redis.redis.zcard("retry").then((n) => {
        inProgressAt.retry = n;
      });
    });
    await verk.start();
    await verk.enqueue({ class: "Ok", queue: "q" });
    await until(() => inProgressAt.finished !== undefined);
    await verk.enqueue({ class: "Bad", queue: "q" });
    await until(() => inProgressAt.retry !== undefined);
    expect(inProgressAt).toEqual({ finished: 0, retry: 1 });
  });
});

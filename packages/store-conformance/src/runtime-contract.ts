import { createVerk, defineWorker, MALFORMED_CLASS, type Verk, type VerkOptions } from "@verk/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConformanceHarness, waitFor } from "./helpers.js";

/** Behaviour of the Verk runtime on a store, end to end. */
export function runtimeContract(getHarness: () => ConformanceHarness): void {
  describe("runtime on the store", () => {
    const instances: Verk[] = [];
    const make = (options: Omit<VerkOptions, "store">): Verk => {
      const verk = createVerk({
        store: getHarness().store(),
        fetchBlockMs: 200,
        controlSyncMs: 200,
        // No keep-alive thread here (its start makes every stop ~1 s slower); the liveness contract has it.
        liveness: { maxEventLoopBlockMs: 0 },
        ...options,
      });
      instances.push(verk);
      return verk;
    };
    beforeEach(async () => {
      await getHarness().reset();
    });
    afterEach(async () => {
      await Promise.all(instances.splice(0).map((verk) => verk.stop({ timeout: 1_000 })));
    });

    it("runs jobs in FIFO order with concurrency 1", async () => {
      const seen: number[] = [];
      const Record = defineWorker("Record", (n: number) => {
        seen.push(n);
      });
      const producer = make({ workers: [Record] });
      await producer.enqueueBulk(
        Array.from({ length: 20 }, (_, i) => ({ class: "Record", queue: "fifo", args: [i] })),
      );
      const worker = make({ queues: { fifo: 1 }, workers: [Record] });
      await worker.start();
      await waitFor(() => seen.length === 20, 5_000, "20 jobs");
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it("never runs more than `concurrency` jobs of a queue at once", async () => {
      let running = 0;
      let peak = 0;
      let done = 0;
      const Slow = defineWorker("Slow", async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        done++;
      });
      const verk = make({ queues: { slow: 3 }, workers: [Slow] });
      await verk.start();
      await verk.enqueueBulk(Array.from({ length: 15 }, () => ({ class: "Slow", queue: "slow" })));
      await waitFor(() => done === 15, 5_000, "15 jobs");
      expect(peak).toBe(3);
    });

    it("retries a failing job with Sidekiq's fields, then runs it again", async () => {
      let calls = 0;
      const Flaky = defineWorker(
        "Flaky",
        () => {
          calls++;
          if (calls === 1) throw new TypeError("first try fails");
        },
        { backoff: () => 0 },
      );
      const verk = make({ queues: { flaky: 2 }, workers: [Flaky], pollIntervalMs: 50 });
      const retried: unknown[] = [];
      verk.on("job:retried", (event) => {
        retried.push(event.failedJob);
      });
      await verk.start();
      const jid = await verk.enqueue({ class: "Flaky", queue: "flaky", args: [] });
      await waitFor(() => calls === 2, 5_000, "second run");
      expect(retried).toHaveLength(1);
      expect(retried[0]).toMatchObject({
        jid,
        retry_count: 0,
        error_class: "TypeError",
        error_message: "first try fails",
      });
      expect(typeof (retried[0] as { failed_at: unknown }).failed_at).toBe("number");
      await waitFor(async () => (await verk.store.counts()).retry === 0, 2_000, "retry set empty");
    });

    it("moves a job to the dead set when its retries run out, and discards retry:false", async () => {
      let calls = 0;
      const Boom = defineWorker(
        "Boom",
        () => {
          calls++;
          throw new Error("always");
        },
        { backoff: () => 0 },
      );
      const verk = make({ queues: { boom: 2 }, workers: [Boom], pollIntervalMs: 30 });
      const dead: unknown[] = [];
      verk.on("job:dead", (event) => {
        dead.push(event.failedJob);
      });
      await verk.start();
      await verk.enqueue({ class: "Boom", queue: "boom", retry: 1 });
      await waitFor(() => dead.length === 1, 5_000, "dead job");
      expect(calls).toBe(2);
      expect(dead[0]).toMatchObject({ retry_count: 1, error_message: "always" });
      await verk.enqueue({ class: "Boom", queue: "boom", retry: false });
      await waitFor(() => calls === 3, 5_000, "third call");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await verk.store.counts()).toMatchObject({ retry: 0, dead: 1 });
    });

    it("fails a job of an unknown class through the retry path, naming the class", async () => {
      const verk = make({ queues: { misc: 1 }, workers: [] });
      const failed: unknown[] = [];
      verk.on("job:failed", (event) => {
        failed.push(event.failedJob);
      });
      await verk.start();
      await verk.enqueue({ class: "NotDeployedYet", queue: "misc" });
      await waitFor(() => failed.length === 1, 5_000, "failure");
      expect(failed[0]).toMatchObject({ error_class: "UnknownWorkerError", retry_count: 0 });
      expect((failed[0] as { error_message: string }).error_message).toContain('"NotDeployedYet"');
      expect((await verk.store.counts()).retry).toBe(1);
    });

    it("a pause on one instance stops another from fetching, until resumed", async () => {
      let done = 0;
      const Count = defineWorker("Count", () => {
        done++;
      });
      const a = make({ queues: { shared: 5 }, workers: [Count] });
      const b = make({ queues: { shared: 5 }, workers: [Count] });
      await a.start();
      await b.start();
      await a.pauseQueue("shared");
      await waitFor(() => b.queues()[0]?.status === "paused", 2_000, "b paused");
      await a.enqueueBulk(Array.from({ length: 5 }, () => ({ class: "Count", queue: "shared" })));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(0);
      await b.resumeQueue("shared");
      await waitFor(() => done === 5, 5_000, "5 jobs after resume");
    });

    it("graceful stop puts unfinished jobs back at the front and leaves nothing in progress", async () => {
      let started = 0;
      const Hang = defineWorker("Hang", async function () {
        started++;
        await new Promise((resolve) => this.signal.addEventListener("abort", resolve));
      });
      const verk = createVerk({
        store: getHarness().store(),
        queues: { hang: 2 },
        workers: [Hang],
        fetchBlockMs: 200,
      });
      await verk.start();
      const jids = await verk.enqueueBulk(
        [1, 2, 3].map((n) => ({ class: "Hang", queue: "hang", args: [n] })),
      );
      await waitFor(() => started === 2, 5_000, "two started");
      await verk.stop({ timeout: 100 });
      // a fresh node sees all three waiting, the two unfinished ones first, in order
      const order: number[] = [];
      const Collect = defineWorker("Hang", (n: number) => {
        order.push(n);
      });
      const again = make({ queues: { hang: 1 }, workers: [Collect] });
      await again.start();
      await waitFor(() => order.length === 3, 5_000, "three reruns");
      expect(order).toEqual([1, 2, 3]);
      expect(jids).toHaveLength(3);
    });

    it("runs a scheduled job when it is due, not before", async () => {
      const ranAt: number[] = [];
      const Later = defineWorker("Later", () => {
        ranAt.push(Date.now());
      });
      const verk = make({ queues: { later: 1 }, workers: [Later], pollIntervalMs: 50 });
      await verk.start();
      const due = Date.now() + 400;
      await verk.schedule({ class: "Later", queue: "later" }, due);
      expect((await verk.store.counts()).schedule).toBe(1);
      await waitFor(() => ranAt.length === 1, 5_000, "scheduled run");
      expect(ranAt[0]!).toBeGreaterThanOrEqual(due - 5);
    });

    it("moves a malformed payload to the dead set with its raw bytes and keeps going", async () => {
      let ok = 0;
      const Fine = defineWorker("Fine", () => {
        ok++;
      });
      const verk = make({ queues: { mixed: 1 }, workers: [Fine] });
      const malformed: string[] = [];
      verk.on("job:malformed", (event) => {
        malformed.push(event.raw.toString());
      });
      await verk.connect();
      await verk.store.push([
        { queue: "mixed", raw: "{not json" },
        { queue: "mixed", raw: JSON.stringify({ args: [1] }) },
      ]);
      await verk.enqueue({ class: "Fine", queue: "mixed" });
      await verk.start();
      await waitFor(() => ok === 1 && malformed.length === 2, 5_000, "malformed handled");
      expect(malformed).toEqual(["{not json", JSON.stringify({ args: [1] })]);
      expect((await verk.store.counts()).dead).toBe(2);
      expect(MALFORMED_CLASS).toBe("Verk::MalformedPayload");
    });

    it("fails a job that exceeds its timeout and aborts its signal", async () => {
      let aborted = false;
      const Stuck = defineWorker(
        "Stuck",
        async function () {
          this.signal.addEventListener("abort", () => {
            aborted = true;
          });
          await new Promise(() => {});
        },
        { timeout: 100 },
      );
      const verk = make({ queues: { stuck: 1 }, workers: [Stuck] });
      const errors: string[] = [];
      verk.on("job:failed", (event) => {
        errors.push(String((event.failedJob as { error_class?: string }).error_class));
      });
      await verk.start();
      await verk.enqueue({ class: "Stuck", queue: "stuck", retry: 0 });
      await waitFor(() => errors.length === 1, 5_000, "timeout failure");
      expect(errors).toEqual(["JobTimeoutError"]);
      expect(aborted).toBe(true);
      expect(verk.queues()[0]?.running).toBe(0);
    });

    it("enqueueBulk writes nothing when one job is invalid, naming it", async () => {
      const verk = make({});
      await expect(
        verk.enqueueBulk([
          { class: "A", queue: "bulk" },
          { class: "A", queue: "bulk", args: "nope" as unknown as unknown[] },
        ]),
      ).rejects.toMatchObject({ code: "INVALID_JOB", field: "jobs[1].args" });
      expect((await verk.store.counts()).queues.bulk ?? 0).toBe(0);
    });
  });
}

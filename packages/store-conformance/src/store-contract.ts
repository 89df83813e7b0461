import type { VerkStore } from "@verk/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConformanceHarness, rawJob, texts } from "./helpers.js";

const NODE = "node-a";
const limits = { maxJobs: 2, maxAgeSeconds: 1000 };

/** Store-level behaviour every VerkStore must have. */
export function storeContract(getHarness: () => ConformanceHarness): void {
  describe("store contract", () => {
    let store: VerkStore;
    beforeEach(async () => {
      await getHarness().reset();
      store = getHarness().store();
      await store.connect();
      await store.registerNode(NODE, ["q"]);
    });
    afterEach(async () => {
      await store.close();
    });

    it("fetches FIFO, oldest first, at most `max` at a time", async () => {
      await store.push([1, 2, 3].map((n) => ({ queue: "q", raw: rawJob("q", n) })));
      const channel = store.openQueue("q", NODE);
      try {
        const first = await channel.fetch(2, 100);
        expect(first.paused).toBe(false);
        expect(texts(first.jobs)).toEqual([rawJob("q", 1), rawJob("q", 2)]);
        expect((await store.counts()).queues).toEqual({ q: 1 });
        expect(texts((await channel.fetch(5, 100)).jobs)).toEqual([rawJob("q", 3)]);
      } finally {
        await channel.close();
      }
    });

    it("acks once: a second ack of the same job reports false", async () => {
      await store.push([{ queue: "q", raw: rawJob("q", 1) }]);
      const channel = store.openQueue("q", NODE);
      const [raw] = (await channel.fetch(1, 100)).jobs;
      await channel.close();
      expect(await store.ack("q", NODE, raw!)).toBe(true);
      expect(await store.ack("q", NODE, raw!)).toBe(false);
      expect(await store.recoverNode(NODE)).toBe(0);
    });

    it("fail moves the job to retry atomically and refuses a job that is not in progress", async () => {
      await store.push([{ queue: "q", raw: rawJob("q", 1) }]);
      const channel = store.openQueue("q", NODE);
      const [raw] = (await channel.fetch(1, 100)).jobs;
      await channel.close();
      const updated = rawJob("q", 1, { retry_count: 0, error_message: "boom" });
      expect(await store.fail("q", NODE, raw!, { kind: "retry", raw: updated, at: 2e9 })).toBe(true);
      expect(await store.fail("q", NODE, raw!, { kind: "retry", raw: updated, at: 2e9 })).toBe(false);
      expect(await store.counts()).toMatchObject({ retry: 1, dead: 0 });
    });

    it("trims the dead set to its limits, dropping the oldest", async () => {
      const raws = [1, 2, 3].map((n) => rawJob("q", n));
      await store.push(raws.map((raw) => ({ queue: "q", raw })));
      const channel = store.openQueue("q", NODE);
      const fetched = (await channel.fetch(3, 100)).jobs;
      await channel.close();
      for (const [i, raw] of fetched.entries()) {
        await store.fail("q", NODE, raw, { kind: "dead", raw: `${raw} `, at: 1_700_000_000 + i, limits });
      }
      expect((await store.counts()).dead).toBe(2);
    });

    it("requeue puts jobs back at the front in their original order", async () => {
      await store.push([1, 2, 3].map((n) => ({ queue: "q", raw: rawJob("q", n) })));
      const channel = store.openQueue("q", NODE);
      try {
        const taken = (await channel.fetch(2, 100)).jobs;
        expect(await store.requeue("q", NODE, taken)).toBe(2);
        expect(texts((await channel.fetch(3, 100)).jobs)).toEqual([1, 2, 3].map((n) => rawJob("q", n)));
      } finally {
        await channel.close();
      }
    });

    it("recoverNode returns a node's in-progress jobs to the front of their queue", async () => {
      await store.push([1, 2, 3].map((n) => ({ queue: "q", raw: rawJob("q", n) })));
      const channel = store.openQueue("q", NODE);
      try {
        await channel.fetch(2, 100);
        expect(await store.recoverNode(NODE)).toBe(2);
        expect(texts((await channel.fetch(3, 100)).jobs)).toEqual([1, 2, 3].map((n) => rawJob("q", n)));
      } finally {
        await channel.close();
      }
    });

    it("promotes only due jobs, stamping enqueued_at and keeping empty args", async () => {
      const due = JSON.stringify({ class: "P", args: [], jid: "a".repeat(24), queue: "q", retry: true });
      const later = JSON.stringify({ class: "P", args: [1], jid: "b".repeat(24), queue: "q", retry: true });
      await store.schedule([
        { queue: "q", raw: due, at: 1_700_000_000.25 },
        { queue: "q", raw: later, at: 1_900_000_000.25 },
      ]);
      expect(await store.promoteDue("schedule", 1_800_000_000.5, 10)).toBe(1);
      const channel = store.openQueue("q", NODE);
      const [movedBytes] = (await channel.fetch(1, 100)).jobs;
      await channel.close();
      const moved = movedBytes!.toString();
      const parsed = JSON.parse(moved);
      expect(parsed.args).toEqual([]);
      expect(moved).toContain('"args":[]');
      expect(parsed.enqueued_at).toBeCloseTo(1_800_000_000.5, 3);
      expect(await store.counts()).toMatchObject({ schedule: 1 });
    });

    it("promoteDue counts an unreadable entry it moved to the dead set as taken", async () => {
      const good = JSON.stringify({ class: "P", args: [], jid: "c".repeat(24), queue: "q", retry: true });
      await store.schedule([
        { queue: "q", raw: "{not json", at: 1_700_000_000.25 },
        { queue: "q", raw: good, at: 1_700_000_000.5 },
      ]);
      expect(await store.promoteDue("schedule", 1_800_000_000.5, 10)).toBe(2);
      expect(await store.counts()).toMatchObject({ schedule: 0, dead: 1, queues: { q: 1 } });
    });

    it("a paused queue fetches nothing until resumed, and subscribers hear both", async () => {
      const heard: string[] = [];
      const unsubscribe = await store.subscribeControl((m) => heard.push(`${m.type}:${m.queue}`));
      await store.push([{ queue: "q", raw: rawJob("q", 1) }]);
      await store.setPaused("q", true);
      expect(await store.pausedQueues()).toEqual(["q"]);
      const channel = store.openQueue("q", NODE);
      try {
        expect(await channel.fetch(1, 50)).toEqual({ paused: true, jobs: [] });
        await store.setPaused("q", false);
        expect((await channel.fetch(1, 50)).jobs).toHaveLength(1);
      } finally {
        await channel.close();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await unsubscribe();
      }
      expect(heard).toEqual(["pause:q", "resume:q"]);
    });

    it("a blocking fetch returns a job pushed while it waits, and interrupt() ends the wait", async () => {
      const channel = store.openQueue("q", NODE);
      try {
        const started = Date.now();
        const pending = channel.fetch(1, 5_000);
        setTimeout(() => void store.push([{ queue: "q", raw: rawJob("q", 7) }]), 50);
        expect(texts((await pending).jobs)).toEqual([rawJob("q", 7)]);
        expect(Date.now() - started).toBeLessThan(2_000);
        const waiting = channel.fetch(1, 5_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const before = Date.now();
        channel.interrupt();
        expect(texts((await waiting).jobs)).toEqual([]);
        expect(Date.now() - before).toBeLessThan(1_000);
      } finally {
        await channel.close();
      }
    });
  });
}

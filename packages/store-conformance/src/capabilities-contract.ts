import { emptyCell, minuteStart, type StoreCapabilities, type VerkStore } from "@verk/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConformanceHarness, rawJob, texts, waitFor } from "./helpers.js";
import { fetchAs } from "./nodes-contract.js";

function capability<N extends keyof StoreCapabilities>(
  store: VerkStore,
  name: N,
): NonNullable<StoreCapabilities[N]> {
  const found = store.capabilities?.[name];
  if (!found) throw new Error(`the "${store.kind}" store has no ${name} capability`);
  return found as NonNullable<StoreCapabilities[N]>;
}

/** The add-ons' capabilities: lease, once markers, the event log, stats counters and metrics. */
export function capabilitiesContract(getHarness: () => ConformanceHarness): void {
  describe("add-on capabilities", () => {
    let store: VerkStore;
    beforeEach(async () => {
      await getHarness().reset();
      store = getHarness().store();
      await store.connect();
    });
    afterEach(async () => {
      await store.close();
    });

    it("lease: one holder at a time, renewed only by it, released only by it, free again after its TTL", async () => {
      const lease = capability(store, "lease");
      expect(await lease.acquire("leader", "a", 10_000)).toBe(true);
      expect(await lease.acquire("leader", "b", 10_000)).toBe(false);
      expect(await lease.renew("leader", "b", 10_000)).toBe(false);
      expect(await lease.renew("leader", "a", 300)).toBe(true);
      expect(await lease.holder("leader")).toBe("a");
      expect(await lease.release("leader", "b")).toBe(false);
      await waitFor(async () => (await lease.holder("leader")) === null, 3_000, "the lease to expire");
      expect(await lease.acquire("leader", "b", 10_000)).toBe(true);
      expect(await lease.release("leader", "b")).toBe(true);
      expect(await lease.holder("leader")).toBeNull();
    });

    it("once: concurrent claims of one marker push exactly once; plain claims too", async () => {
      const once = capability(store, "once");
      const raw = rawJob("cron", 1);
      const won = await Promise.all(
        Array.from({ length: 10 }, () => once.claimAndPush("cron:tick:1", 10_000, [{ queue: "cron", raw }])),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await store.counts()).queues).toEqual({ cron: 1 });
      await store.registerNode("n1", ["cron"]);
      expect(texts(await fetchAs(store, "cron", "n1", 5))).toEqual([raw]);
      expect(await once.claim("plain", 10_000)).toBe(true);
      expect(await once.claim("plain", 10_000)).toBe(false);
      expect(await once.claim("short", 100)).toBe(true);
      await waitFor(() => once.claim("short", 100), 3_000, "the marker to expire");
    });

    it("event log: appends in order, reads from the start and after an id, a blocked read gets a new entry, close ends it", async () => {
      const log = capability(store, "eventLog");
      expect(await log.lastId()).toBe("0-0");
      await log.append(["a", "b", "c"], 1_000);
      const reader = log.openReader();
      try {
        const all = await reader.read("0", 10, 0);
        expect(all.map((e) => e.data)).toEqual(["a", "b", "c"]);
        expect(await log.lastId()).toBe(all[2]!.id);
        expect((await reader.read(all[0]!.id, 10, 0)).map((e) => e.data)).toEqual(["b", "c"]);
        const pending = reader.read(all[2]!.id, 10, 5_000);
        setTimeout(() => void log.append(["d"], 1_000), 50);
        expect((await pending).map((e) => e.data)).toEqual(["d"]);
      } finally {
        await reader.close();
      }
      const other = log.openReader();
      const blocked = other.read("$", 10, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await other.close();
      expect(await blocked).toEqual([]);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it("stats: totals, per-queue and per-day counters add up; minutes of metrics round-trip", async () => {
      const stats = capability(store, "stats");
      const at = new Date("2030-01-02T12:00:00Z");
      await stats.increment({ processed: 5, failed: 2, byQueue: { a: { processed: 3, failed: 2 } } }, at);
      await stats.increment({ processed: 1, failed: 0, byQueue: { b: { processed: 1, failed: 0 } } }, at);
      expect(await stats.totals()).toEqual({ processed: 6, failed: 2 });
      expect(await stats.queueTotals(["a", "b", "c"])).toEqual({
        a: { processed: 3, failed: 2 },
        b: { processed: 1, failed: 0 },
        c: { processed: 0, failed: 0 },
      });
      const days = await stats.history(2, at);
      expect(days).toEqual([
        { date: "2030-01-02", processed: 6, failed: 2 },
        { date: "2030-01-01", processed: 0, failed: 0 },
      ]);
      const minute = minuteStart(Date.now());
      const cell = { ...emptyCell("a", "Mailer"), processed: 4, failed: 1, totalMs: 30 };
      cell.buckets[2] = 3;
      await stats.recordMetrics([{ minute, cells: [cell] }]);
      await stats.recordMetrics([{ minute, cells: [{ ...emptyCell("a", "Mailer"), processed: 1 }] }]);
      const [read] = await stats.readMetrics(minute - 60_000, minute);
      expect(read?.minute).toBe(minute);
      expect(read?.cells).toEqual([
        expect.objectContaining({ queue: "a", className: "Mailer", processed: 5, failed: 1, totalMs: 30 }),
      ]);
      expect(read?.cells[0]?.buckets[2]).toBe(3);
    });

    it("queue inspection: the oldest waiting job of each queue and the next due time", async () => {
      const inspect = capability(store, "queueInspect");
      await store.push([1, 2].map((n) => ({ queue: "a", raw: rawJob("a", n) })));
      await store.schedule([
        { queue: "b", raw: rawJob("b", 3), at: 2_000_000_000.5 },
        { queue: "c", raw: rawJob("c", 4), at: 1_900_000_000.25 },
      ]);
      expect(await inspect.oldest(["a", "none"])).toEqual([rawJob("a", 1), null]);
      expect(await inspect.nextDue("schedule")).toBe(1_900_000_000.25);
      expect(await inspect.nextDue("retry")).toBeNull();
    });
  });
}

import { createVerk, defineWorker } from "@verk/core";
import { until, useCluster } from "@verk/test-redis/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisAdmin } from "../src/admin/redis-admin.js";
import { entryKey } from "../src/admin/set-search.js";
import { type RedisStore, redisStore } from "../src/index.js";

// The admin API on the cluster key layout, on a real 3-master Redis Cluster: every view merges
// the queues' own sets (spread over the shards), every move stays in one slot.
const fx = useCluster({ replicasPerMaster: 0 });
const QUEUES = ["alpha", "beta", "gamma"];
let store: RedisStore;
let admin: RedisAdmin;

beforeEach(async () => {
  store = redisStore({ cluster: { nodes: [...fx.cluster.urls] }, sidekiqProcess: false });
  await store.connect();
  admin = new RedisAdmin(store, { maxJobs: 1_000 });
});
afterEach(async () => {
  await store.close();
});

function job(queue: string, jid: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    class: "W",
    args: [jid],
    jid,
    queue,
    retry: true,
    created_at: 1_700_000_000.5,
    error_class: "Err",
    error_message: `boom ${jid}`,
    retry_count: 2,
    ...extra,
  });
}

/** `n` entries per queue in `set`, scores interleaved over the queues (merged order: 1, 2, 3, ...). */
async function seed(set: "schedule" | "retry" | "dead", n: number): Promise<void> {
  await fx.redis.sadd(store.keys.queues, ...QUEUES);
  for (const [q, queue] of QUEUES.entries()) {
    const args = Array.from({ length: n }, (_, i) => [
      1 + i * QUEUES.length + q,
      job(queue, `${queue}-${i}`),
    ]);
    await fx.redis.zadd(store.keys.setOf(set, queue), ...args.flat());
  }
}

const jidsOf = (entries: { jid: string }[]) => entries.map((e) => e.jid);
const merged = (from: number, count: number, n: number) =>
  Array.from({ length: count }, (_, k) => from + k)
    .filter((rank) => rank < n * QUEUES.length)
    .map((rank) => `${QUEUES[rank % QUEUES.length]}-${Math.floor(rank / QUEUES.length)}`);

describe("views merged over the queues' sets", () => {
  it("pages retries in score order across queues, deep pages included (rank probes, no full read)", async () => {
    await seed("retry", 120);
    for (const offset of [0, 7, 200, 355]) {
      const page = await admin.list("retry", { offset, limit: 5 });
      expect(page.total).toBe(360);
      expect(jidsOf(page.entries)).toEqual(merged(offset, 5, 120));
    }
    const filtered = await admin.list("retry", { queue: "beta", limit: 3, offset: 1 });
    expect([filtered.matched, ...jidsOf(filtered.entries)]).toEqual([120, "beta-1", "beta-2", "beta-3"]);
  });

  it("any page of uneven sets with tied scores equals the same page of their sorted union", async () => {
    const sizes = { alpha: 5, beta: 300, gamma: 77, delta: 0 };
    const reference: { score: number; raw: string }[] = [];
    await fx.redis.sadd(store.keys.queues, ...Object.keys(sizes));
    let seedValue = 7;
    const random = () => {
      seedValue = (seedValue * 48271) % 2147483647;
      return seedValue / 2147483647;
    };
    for (const [queue, n] of Object.entries(sizes)) {
      const args: (number | string)[] = [];
      for (let i = 0; i < n; i++) {
        const score = Math.floor(random() * 50); // many ties, broken by the member bytes
        const raw = job(queue, `${queue}-${i}`);
        args.push(score, raw);
        reference.push({ score, raw });
      }
      if (args.length > 0) await fx.redis.zadd(store.keys.setOf("dead", queue), ...args);
    }
    reference.sort((a, b) => b.score - a.score || (a.raw < b.raw ? 1 : a.raw > b.raw ? -1 : 0));
    for (const offset of [0, 1, 60, 150, 299, 370, 381, 400]) {
      const page = await admin.list("dead", { offset, limit: 7 });
      expect(page.entries.map((e) => e.raw)).toEqual(reference.slice(offset, offset + 7).map((r) => r.raw));
    }
  });

  it("pages dead jobs newest first, and searches with a cursor that continues across queues", async () => {
    await seed("dead", 40);
    const first = await admin.list("dead", { limit: 4 });
    expect(jidsOf(first.entries)).toEqual(["gamma-39", "beta-39", "alpha-39", "gamma-38"]);
    const search = await admin.search("dead", { argsText: "-3", limit: 5, maxScan: 30 });
    expect(search.total).toBe(120);
    expect(search.scanned).toBeLessThanOrEqual(30);
    expect(jidsOf(search.entries).every((jid) => jid.includes("-3"))).toBe(true);
    const more = await admin.search("dead", { argsText: "-3", limit: 100, cursor: search.nextCursor });
    const all = [...jidsOf(search.entries), ...jidsOf(more.entries)];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(
      QUEUES.flatMap((q) =>
        ["3", ...Array.from({ length: 10 }, (_, i) => `3${i}`)].map((i) => `${q}-${i}`),
      ).sort(),
    );
    expect(more.nextCursor).toBeUndefined();
    expect((await admin.entries("dead", { errorText: "boom gamma-1" })).length).toBe(11);
  });

  it("finds by jid and by <score>-<jid> keys in whichever queue holds the entry", async () => {
    await seed("schedule", 5);
    expect((await admin.find("schedule", "beta-3"))?.queue).toBe("beta");
    expect(await admin.find("schedule", "nope")).toBeUndefined();
    const picked = (await admin.list("schedule", { limit: 15 })).entries.filter((_, i) => i % 4 === 0);
    const found = await admin.findByKeys(
      "schedule",
      picked.map((e) => ({ score: e.score, jid: e.jid })),
    );
    expect(jidsOf(found)).toEqual(jidsOf(picked));
    expect(entryKey(found[0]!)).toBe(`1-alpha-0`);
  });
});

describe("actions through each set's own slot", () => {
  it("retries one entry onto its queue, and one whose queue lives elsewhere through the outbox", async () => {
    await seed("retry", 2);
    expect(await admin.actOn("retry", "beta-1", "retry")).toEqual({ done: 1, gone: 0, invalid: 0 });
    const [pushed] = await fx.redis.lrange(store.keys.queue("beta"), 0, -1);
    expect(JSON.parse(pushed!)).toMatchObject({ jid: "beta-1", retry_count: 1 });
    // a job of queue "gamma" waiting in alpha's retry set (it failed in alpha with retry_queue: gamma)
    await fx.redis.zadd(
      store.keys.setOf("retry", "alpha"),
      50,
      job("gamma", "moved", { retry_queue: "gamma" }),
    );
    expect(await admin.actOn("retry", "moved", "retry")).toEqual({ done: 1, gone: 0, invalid: 0 });
    const gamma = await fx.redis.lrange(store.keys.queue("gamma"), 0, -1);
    expect(gamma.map((raw) => JSON.parse(raw).jid)).toEqual(["moved"]);
    expect(await fx.redis.llen(store.keys.outbox("alpha"))).toBe(0);
    expect(await fx.redis.zcard(store.keys.setOf("retry", "alpha"))).toBe(2);
  });

  it("kills a scheduled job into its queue's dead set; deletes; refuses what a set does not allow", async () => {
    await seed("schedule", 2);
    expect(await admin.actOn("schedule", "gamma-0", "kill")).toMatchObject({ done: 1 });
    expect(jidsOf((await admin.list("dead")).entries)).toEqual(["gamma-0"]);
    expect(await fx.redis.zcard(store.keys.setOf("dead", "gamma"))).toBe(1);
    expect(await admin.actOn("schedule", "alpha-1", "delete")).toMatchObject({ done: 1 });
    expect((await admin.list("schedule")).total).toBe(4);
    await expect(admin.actOn("dead", "gamma-0", "kill")).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });

  it("acts on a selection of keys, on everything matching, and on all, across queues", async () => {
    await seed("dead", 30);
    const page = (await admin.list("dead", { limit: 6 })).entries;
    const selected = await admin.actOnKeys(
      "dead",
      "retry",
      page.map((e) => ({ score: e.score, jid: e.jid })),
    );
    expect(selected).toEqual({ done: 6, gone: 0, invalid: 0, missing: 0 });
    for (const q of QUEUES) expect(await fx.redis.llen(store.keys.queue(q))).toBe(2);
    const progress: number[] = [];
    const matching = await admin.actOnMatching("dead", "delete", { queue: "beta" }, (read) =>
      progress.push(read),
    );
    expect(matching).toEqual({ done: 28, gone: 0, invalid: 0 });
    expect(progress.at(-1)).toBe(84);
    const all = await admin.actOnAll("dead", "retry");
    expect(all).toEqual({ done: 56, gone: 0, invalid: 0 });
    expect((await admin.list("dead")).total).toBe(0);
    expect(await fx.redis.llen(store.keys.queue("alpha"))).toBe(30);
    expect(await fx.redis.llen(store.keys.queue("beta"))).toBe(2);
  });

  it("dead-letters an outbox record whose target key is not a list instead of blocking the outbox", async () => {
    await fx.redis.sadd(store.keys.queues, "alpha");
    await fx.redis.set(store.keys.queue("broken"), "not a list");
    await fx.redis.zadd(store.keys.setOf("retry", "alpha"), 1, job("broken", "b1"), 2, job("beta", "b2"));
    expect(await admin.actOnAll("retry", "retry")).toEqual({ done: 2, gone: 0, invalid: 0 });
    expect(await fx.redis.lrange(store.keys.queue("beta"), 0, -1)).toHaveLength(1);
    const [dead] = await fx.redis.zrange(store.keys.setOf("dead", "alpha"), 0, -1);
    expect(JSON.parse(dead!)).toMatchObject({ jid: "b1", error_class: "Verk::PromotionFailed" });
    expect(await fx.redis.llen(store.keys.outbox("alpha"))).toBe(0);
  });
});

describe("queues, nodes, processes and the server", () => {
  it("lists and clears queues on several shards; the registry keeps a cleared queue with jobs in its sets", async () => {
    await store.push(QUEUES.flatMap((q) => [1, 2].map((i) => ({ queue: q, raw: job(q, `${q}${i}`) }))));
    await store.setPaused("gamma", true);
    await fx.redis.zadd(store.keys.setOf("dead", "beta"), 1, job("beta", "kept"));
    const queues = await admin.queues();
    expect(queues.map((q) => [q.name, q.size, q.paused])).toEqual([
      ["alpha", 2, false],
      ["beta", 2, false],
      ["gamma", 2, true],
    ]);
    expect(await admin.clearQueue("alpha")).toBe(2);
    expect(await admin.clearQueue("beta")).toBe(2);
    expect((await fx.redis.smembers(store.keys.queues)).sort()).toEqual(["beta", "gamma"]);
    expect(await admin.queueExists("alpha")).toBe(false);
    expect((await admin.list("dead")).total).toBe(1);
    const info = await admin.serverInfo();
    expect(info).toMatchObject({ mode: "cluster", masters: 3 });
    expect(info.usedMemory).toBeGreaterThan(0);
  });

  it("shows a running node: its process, its in-flight jobs per queue and who serves each queue", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const W = defineWorker("W", () => gate);
    const verk = createVerk({
      store: redisStore({ cluster: { nodes: [...fx.cluster.urls] }, sidekiqProcess: { intervalMs: 100 } }),
      queues: { alpha: 2, beta: 2, gamma: 2 },
      workers: [W],
      logLevel: "warn",
      liveness: { maxEventLoopBlockMs: 0 },
    });
    try {
      await verk.start();
      await verk.enqueueBulk(QUEUES.map((q) => ({ class: "W", queue: q, args: [q] })));
      await until(async () => (await admin.processes())[0]?.jobs.length === 3, 10_000, "3 running jobs");
      const [node] = await admin.verkNodes();
      expect(node).toMatchObject({
        nodeId: verk.nodeId,
        alive: true,
        inFlight: { alpha: 1, beta: 1, gamma: 1 },
      });
      const overview = await admin.queueOverview();
      expect(overview.map((q) => [q.name, q.inFlight, q.running, q.nodes])).toEqual(
        QUEUES.map((q) => [q, 1, 1, [verk.nodeId]]),
      );
      expect(await admin.signal(verk.nodeId, "TSTP")).toBe(true);
    } finally {
      release();
      await verk.stop({ timeout: 2_000 });
    }
  });
});

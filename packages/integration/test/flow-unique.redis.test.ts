import { defineWorker, type VerkEventMap, type WorkerDefinition } from "@verk/core";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { node } from "./helpers.js";

type Layout = "sidekiq" | "cluster";

/** Every unique lock key in Redis, in either layout. */
async function lockKeys(redis: ReturnType<typeof useRedis>["redis"]): Promise<string[]> {
  return (await redis.keys("*unique:*")).sort();
}

describe.each<Layout>(["sidekiq", "cluster"])("unique jobs (%s key layout)", (layout) => {
  const r = useRedis();
  const queueKey = (q: string) => (layout === "cluster" ? `verk:{${q}}:queue` : `queue:${q}`);
  const producer = (workers: WorkerDefinition<never>[] = []) => node(r.url, { workers }, { layout });

  it("a duplicate enqueue resolves null, writes nothing and emits job:duplicate naming the holder", async () => {
    const Sync = defineWorker("Sync", async (_id: number) => {}, { unique: { for: 60 } });
    const verk = producer([Sync]);
    const duplicates: VerkEventMap["job:duplicate"][] = [];
    verk.on("job:duplicate", (e) => void duplicates.push(e));
    const first = await Sync.enqueue(1);
    expect(first).toMatch(/^[0-9a-f]{24}$/);
    expect(await Sync.enqueue(1)).toBeNull();
    expect(await verk.enqueue({ class: "Sync", args: [1] })).toBeNull();
    expect(await Sync.enqueue(2)).not.toBeNull(); // other args: another lock
    expect(await r.redis.llen(queueKey("default"))).toBe(2);
    expect(duplicates.map((d) => [d.heldBy, d.kind, d.job.args])).toEqual([
      [first, "enqueue", [1]],
      [first, "enqueue", [1]],
    ]);
    const [stored] = (await r.redis.lrange(queueKey("default"), -1, -1)).map((t) => JSON.parse(t));
    expect(stored).toMatchObject({ class: "Sync", args: [1], jid: first, unique_for: 60 });
    expect(stored.unique_digest).toMatch(/^[0-9a-f]{32}$/);
    const locks = await lockKeys(r.redis);
    expect(locks).toHaveLength(2);
    const ttl = await r.redis.pttl(locks[0]!);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("enqueueBulk drops duplicates (of held locks and within the batch) as null entries, in order", async () => {
    const Sync = defineWorker("Sync", async (_id: number) => {}, { unique: { for: 60 } });
    producer([Sync]);
    const held = await Sync.enqueue(1);
    const jids = await Sync.enqueueBulk([[1], [2], [2], [3]]);
    expect(jids[0]).toBeNull();
    expect(jids[1]).toMatch(/^[0-9a-f]{24}$/);
    expect(jids[2]).toBeNull();
    expect(jids[3]).toMatch(/^[0-9a-f]{24}$/);
    const queued = (await r.redis.lrange(queueKey("default"), 0, -1)).map((t) => JSON.parse(t).jid).reverse();
    expect(queued).toEqual([held, jids[1], jids[3]]);
  });

  it("the key option picks which arguments matter; unique: false and other queues are separate", async () => {
    const Mail = defineWorker("Mail", async (_user: number, _text: string) => {}, {
      unique: { for: 60, key: (user) => user },
    });
    producer([Mail]);
    expect(await Mail.enqueue(7, "a")).not.toBeNull();
    expect(await Mail.enqueue(7, "b")).toBeNull();
    expect(await Mail.with({ unique: false }).enqueue(7, "c")).not.toBeNull();
    expect(await Mail.with({ queue: "other" }).enqueue(7, "d")).not.toBeNull();
    expect(await r.redis.llen(queueKey("default"))).toBe(2);
    expect(await r.redis.llen(queueKey("other"))).toBe(1);
  });

  it("a scheduled job takes the lock when scheduled, for unique.for plus its delay", async () => {
    const Sync = defineWorker("Sync", async (_id: number) => {}, { unique: { for: 10 } });
    const verk = producer([Sync]);
    const at = Date.now() + 60_000;
    const jid = await Sync.scheduleAt(at, 1);
    expect(jid).not.toBeNull();
    expect(await Sync.enqueue(1)).toBeNull();
    expect(await Sync.scheduleIn(5_000, 1)).toBeNull();
    const bulk = await verk.scheduleBulk([
      { job: { class: "Sync", args: [1] }, at },
      { job: { class: "Sync", args: [2] }, at },
    ]);
    expect(bulk[0]).toBeNull();
    expect(bulk[1]).not.toBeNull();
    const locks = await lockKeys(r.redis);
    const holders = await Promise.all(locks.map((key) => r.redis.get(key)));
    expect(holders).toContain(jid);
    const lock = locks[holders.indexOf(jid)]!;
    expect(await r.redis.pttl(lock)).toBeGreaterThan(65_000);
    const schedule = layout === "cluster" ? "verk:{default}:schedule" : "schedule";
    expect(await r.redis.zcard(schedule)).toBe(2);
  });
});

describe.each<Layout>(["sidekiq", "cluster"])("unique locks are released (%s key layout)", (layout) => {
  const r = useRedis();
  const worker = (workers: WorkerDefinition<never>[], queues = { default: 5 }) =>
    node(r.url, { workers, queues, pollIntervalMs: 50 }, { layout });
  const held = async () => (await lockKeys(r.redis)).length;

  it("when the job succeeds (after its ack), not before", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const Sync = defineWorker("Sync", async () => gate, { unique: { for: 60 } });
    const verk = worker([Sync]);
    const finished: string[] = [];
    verk.on("job:finished", (e) => void finished.push(e.job.jid));
    await verk.start();
    const jid = await Sync.enqueue();
    await until(async () => verk.runningJobs().length === 1, 5_000, "the job runs");
    expect(await Sync.enqueue()).toBeNull(); // running: still locked
    release();
    await until(async () => (await held()) === 0, 5_000, "the lock released");
    expect(finished).toEqual([jid]);
    expect(await Sync.enqueue()).not.toBeNull();
  });

  it('at start with until: "start"', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const Sync = defineWorker("Sync", async () => gate, { unique: { for: 60, until: "start" } });
    const verk = worker([Sync]);
    await verk.start();
    await Sync.enqueue();
    await until(async () => verk.runningJobs().length === 1, 5_000, "the job runs");
    await until(async () => (await held()) === 0, 5_000, "the lock released at start");
    expect(await Sync.enqueue()).not.toBeNull(); // a second one may wait while the first runs
    release();
  });

  it("kept across retries, released when the job dies", async () => {
    let runs = 0;
    const Flaky = defineWorker(
      "Flaky",
      async () => {
        runs++;
        throw new Error(`fail ${runs}`);
      },
      { unique: { for: 60 }, retry: 1, backoff: () => 0.3 },
    );
    const verk = worker([Flaky]);
    const outcomes: string[] = [];
    verk.on("job:failed", (e) => void outcomes.push(e.outcome));
    await verk.start();
    await Flaky.enqueue();
    await until(async () => outcomes.length === 1, 5_000, "the first failure");
    expect(outcomes).toEqual(["retry"]);
    expect(await held()).toBe(1); // waiting in the retry set: still locked
    expect(await Flaky.enqueue()).toBeNull();
    await until(async () => outcomes.length === 2, 5_000, "the retry failed");
    expect(outcomes).toEqual(["retry", "dead"]);
    await until(async () => (await held()) === 0, 5_000, "the lock released at death");
    expect(runs).toBe(2);
  });

  it("when unique.for runs out, and a release never frees another job's lock", async () => {
    const Sync = defineWorker("Sync", async () => {}, { unique: { for: 0.2 } });
    const verk = producer(r.url, layout, [Sync]);
    const first = await Sync.enqueue();
    expect(await Sync.enqueue()).toBeNull();
    await until(async () => (await held()) === 0, 5_000, "the lock expired");
    const second = await Sync.enqueue();
    expect(second).not.toBeNull();
    const flow = verk.store.capabilities!.flow!;
    const [lock] = await lockKeys(r.redis);
    const digest = lock!.split("unique:")[1]!;
    expect(await flow.releaseUnique("default", digest, first!)).toBe(false);
    expect(await r.redis.get(lock!)).toBe(second);
    expect(await flow.releaseUnique("default", digest, second!)).toBe(true);
    expect(await held()).toBe(0);
  });
});

function producer(url: string, layout: Layout, workers: WorkerDefinition<never>[]) {
  return node(url, { workers }, { layout });
}

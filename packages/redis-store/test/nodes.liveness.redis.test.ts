import { createVerk, defineWorker, type Logger, livenessLoops, resolveLiveness, type Verk } from "@verk/core";
import { until as waitUntil } from "@verk/test-redis/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { redisStore } from "../src/index.js";
import { useRedis } from "./helpers.js";

const fx = useRedis();
const nodes: Verk[] = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop({ timeout: 0 })));
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = (check: () => Promise<boolean> | boolean, timeoutMs = 8_000) => waitUntil(check, timeoutMs);

function memoryLogger(lines: string[]): Logger {
  const log = (first: unknown, message?: string) =>
    lines.push(typeof first === "string" ? first : String(message));
  return { debug: () => {}, info: log, warn: log, error: log } as unknown as Logger;
}

const fast = { heartbeatMs: 100, nodeTtlMs: 400, sidekiqProcess: false } as const;
const payload = (jid: string, extra = "") =>
  `{"class":"Rec","args":["${jid}"],"jid":"${jid}","queue":"q"${extra}}`;

function node(perform: (jid: string) => Promise<void> | void, nodeId?: string, logs: string[] = []): Verk {
  const Rec = defineWorker("Rec", async (jid: string) => perform(jid), { queue: "q" });
  const verk = createVerk({
    store: redisStore({ url: fx.server().url, ...fast }),
    queues: { q: 5 },
    workers: [Rec],
    fetchBlockMs: 100,
    pollIntervalMs: 0,
    logger: memoryLogger(logs),
    ...(nodeId ? { nodeId } : {}),
  });
  nodes.push(verk);
  return verk;
}

describe("liveness options", () => {
  it("documents defaults, derives one setting from the other and rejects a TTL under 3 heartbeats", () => {
    expect(resolveLiveness()).toMatchObject({ heartbeatMs: 5_000, nodeTtlMs: 30_000, maxRecoveries: 3 });
    expect(resolveLiveness({ heartbeatMs: 1_000 })).toMatchObject({ heartbeatMs: 1_000, nodeTtlMs: 6_000 });
    expect(resolveLiveness({ nodeTtlMs: 3_000 })).toMatchObject({ heartbeatMs: 500, nodeTtlMs: 3_000 });
    expect(() => resolveLiveness({ heartbeatMs: 1_000, nodeTtlMs: 2_000 })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", field: "liveness.nodeTtlMs" }),
    );
  });
});

describe("heartbeat", () => {
  it("keeps verk:node:<id> alive with a PX TTL and deletes it at stop", async () => {
    const verk = node(() => {}, "hb-node");
    await verk.start();
    const ttl = await fx.redis().pttl("verk:node:hb-node");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(400);
    await wait(600);
    expect(await fx.redis().exists("verk:node:hb-node")).toBe(1);
    expect(await fx.redis().sismember("verk_nodes", "hb-node")).toBe(1);
    await verk.stop();
    nodes.length = 0;
    expect(await fx.redis().exists("verk:node:hb-node")).toBe(0);
    expect(await fx.redis().sismember("verk_nodes", "hb-node")).toBe(0);
  });
});

describe("dead-peer recovery", () => {
  it("puts an expired peer's in-progress jobs back, runs them, forgets the peer and emits events", async () => {
    await fx.redis().sadd("verk_nodes", "ghost");
    await fx.redis().sadd("verk:node:ghost:queues", "q");
    await fx.redis().lpush("inprogress:q:ghost", payload("g1"), payload("g2"));
    const ran: string[] = [];
    const verk = node((jid) => {
      ran.push(jid);
    });
    const recovered: unknown[] = [];
    const down: unknown[] = [];
    verk.on("jobs:recovered", (e) => {
      recovered.push(e);
    });
    verk.on("node:down", (e) => {
      down.push(e);
    });
    await verk.start();
    await until(() => ran.length === 2 && down.length === 1);
    expect(ran.sort()).toEqual(["g1", "g2"]);
    expect(recovered).toEqual([{ nodeId: verk.nodeId, fromNodeId: "ghost", count: 2 }]);
    expect(down).toEqual([{ nodeId: "ghost", reason: "expired" }]);
    await until(async () => (await fx.redis().llen(`inprogress:q:${verk.nodeId}`)) === 0);
    expect(await fx.redis().exists("inprogress:q:ghost", "verk:node:ghost:queues", "queue:q")).toBe(0);
    expect(await fx.redis().smembers("verk_nodes")).toEqual([verk.nodeId]);
  });

  it("scans every page of a large registry (SSCAN) and recovers each dead node", async () => {
    const ghosts = Array.from({ length: 250 }, (_, i) => `ghost-${i}`);
    await fx.redis().sadd("verk_nodes", ...ghosts);
    for (const g of ghosts) {
      await fx.redis().sadd(`verk:node:${g}:queues`, "q");
      await fx.redis().lpush(`inprogress:q:${g}`, payload(g));
    }
    const ran = new Set<string>();
    const verk = node((jid) => {
      ran.add(jid);
    });
    await verk.start();
    await until(() => ran.size === 250, 15_000);
    await until(async () => (await fx.redis().scard("verk_nodes")) === 1);
    expect(await fx.redis().smembers("verk_nodes")).toEqual([verk.nodeId]);
  });

  it("dead-letters a poison pill that crashed nodes more than maxRecoveries times", async () => {
    await fx.redis().sadd("verk_nodes", "ghost");
    await fx.redis().sadd("verk:node:ghost:queues", "q");
    await fx.redis().lpush("inprogress:q:ghost", payload("pill", ',"recoveries":3'));
    const ran: string[] = [];
    const verk = node((jid) => {
      ran.push(jid);
    });
    await verk.start();
    await until(async () => (await fx.redis().zcard("dead")) === 1);
    const [dead] = await fx.redis().zrange("dead", 0, -1);
    expect(JSON.parse(dead!)).toMatchObject({
      jid: "pill",
      recoveries: 4,
      error_class: "Verk::PoisonPill",
      error_message: expect.stringContaining("more than maxRecoveries = 3"),
    });
    await wait(300);
    expect(ran).toEqual([]);
  });
});

describe("orphans in a live node's own in-progress list", () => {
  it("puts back a job whose fetch reply was lost, and leaves running jobs alone", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ran: string[] = [];
    const verk = node(async (jid) => {
      ran.push(jid);
      if (jid === "slow") await gate;
    });
    const recovered: unknown[] = [];
    verk.on("jobs:recovered", (e) => {
      recovered.push(e);
    });
    await verk.start();
    await verk.enqueue({ class: "Rec", queue: "q", args: ["slow"] });
    await until(() => ran.length === 1);
    // As if a fetch had moved this job but its reply never arrived.
    await fx.redis().lpush(`inprogress:q:${verk.nodeId}`, payload("lost"));
    await until(() => ran.includes("lost"));
    expect(recovered).toEqual([{ nodeId: verk.nodeId, fromNodeId: verk.nodeId, count: 1 }]);
    await wait(400);
    expect(ran.filter((jid) => jid === "slow")).toHaveLength(1);
    expect(await fx.redis().lrange(`inprogress:q:${verk.nodeId}`, 0, -1)).toHaveLength(1);
    release();
    await until(async () => (await fx.redis().llen(`inprogress:q:${verk.nodeId}`)) === 0);
  });
});

describe("zombie node (declared dead while paused, then back)", () => {
  it("recognises the late ack, duplicates and removes nothing, and re-registers", async () => {
    let releaseA!: () => void;
    const gateA = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    const runsA: string[] = [];
    const logsA: string[] = [];
    const a = node(
      async (jid) => {
        runsA.push(jid);
        await gateA;
      },
      "zombie-a",
      logsA,
    );
    await a.start();
    await a.enqueue({ class: "Rec", queue: "q", args: ["z1"] });
    await until(() => runsA.length === 1);
    const [inA] = await fx.redis().lrange("inprogress:q:zombie-a", 0, -1);
    // "pause" A: no more fetches nor heartbeats, and its key expires
    a.quiet();
    livenessLoops.get("zombie-a")!.suspend();
    await until(async () => (await fx.redis().exists("verk:node:zombie-a")) === 0, 2_000);

    let releaseB!: () => void;
    const gateB = new Promise<void>((resolve) => {
      releaseB = resolve;
    });
    const runsB: string[] = [];
    const b = node(async (jid) => {
      runsB.push(jid);
      await gateB;
    });
    await b.start();
    await until(() => runsB.length === 1);
    expect(runsB).toEqual(["z1"]);
    expect(await fx.redis().exists("inprogress:q:zombie-a")).toBe(0);
    const [inB] = await fx.redis().lrange(`inprogress:q:${b.nodeId}`, 0, -1);
    expect(JSON.parse(inB!).recoveries).toBe(1);
    expect(JSON.parse(inA!).args).toEqual(["z1"]);
    expect(JSON.parse(inB!).jid).toBe(JSON.parse(inA!).jid);

    // A comes back and finishes: its ack must not touch B's copy
    livenessLoops.get("zombie-a")!.resume();
    releaseA();
    await until(() => logsA.some((line) => line.includes("late ack")));
    // The cause is named: its heartbeat expired (peers removed it), not lost data.
    expect(logsA.find((line) => line.includes("late ack"))).toContain(
      "this node's heartbeat expired meanwhile",
    );
    expect(logsA.filter((line) => line.includes("lost this node's registration"))).toEqual([]);
    expect(await fx.redis().lrange(`inprogress:q:${b.nodeId}`, 0, -1)).toEqual([inB]);
    expect(await fx.redis().llen("queue:q")).toBe(0);
    await until(async () => (await fx.redis().exists("verk:node:zombie-a")) === 1);
    expect(await fx.redis().sismember("verk_nodes", "zombie-a")).toBe(1);
    expect(await fx.redis().smembers("verk:node:zombie-a:queues")).toEqual(["q"]);

    releaseB();
    await until(async () => (await fx.redis().llen(`inprogress:q:${b.nodeId}`)) === 0);
    expect(runsA).toEqual(["z1"]);
    expect(runsB).toEqual(["z1"]);
    expect(await fx.redis().llen("queue:q")).toBe(0);
  });
});

import { fileURLToPath } from "node:url";
import { createVerk, type Verk } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { until, useRedis } from "@verk/test-redis/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { type NodeProcess, startNodeProcess } from "./node-process.js";

const SLOW_THREAD_LOADER = fileURLToPath(new URL("./fixtures/slow-thread-loader.mjs", import.meta.url));

/** The fast liveness settings of the chaos docs (issue #10). */
const FAST = { heartbeatMs: 250, nodeTtlMs: 1_000 };

/**
 * Issue #10, in-process protections: a long synchronous handler in a non-isolated queue must not
 * get a live node declared dead. The keep-alive thread extends the heartbeat while the event loop
 * is blocked, up to `maxEventLoopBlockMs`; a loop blocked longer is recovered like a dead node.
 */
describe("a node whose event loop is blocked by a handler (heartbeat 250 ms, TTL 1 s)", () => {
  const redis = useRedis();
  let peer: Verk | undefined;
  afterEach(async () => {
    await peer?.stop({ timeout: 0 });
    peer = undefined;
  });

  /** A peer in this process with the same settings: it recovers the jobs of nodes it sees dead. */
  async function startPeer(): Promise<{ from: string; count: number; at: number }[]> {
    const recovered: { from: string; count: number; at: number }[] = [];
    peer = createVerk({
      store: redisStore({ url: redis.url, sidekiqProcess: false }),
      queues: { other: 1 },
      liveness: FAST,
      pollIntervalMs: 0,
      logLevel: "error",
    });
    peer.on("jobs:recovered", (e) => {
      recovered.push({ from: e.fromNodeId, count: e.count, at: Date.now() });
    });
    await peer.start();
    return recovered;
  }

  async function blockingNode(nodeId: string, liveness: object): Promise<NodeProcess> {
    const child = startNodeProcess({
      VERK_URL: redis.url,
      VERK_NODE_ID: nodeId,
      VERK_QUEUES: '{"q":2}',
      VERK_LIVENESS: JSON.stringify(liveness),
    });
    await child.waitFor((l) => l.event === "started", "the node to start");
    return child;
  }

  const beatNumber = async (nodeId: string) =>
    Number((await redis.redis.get(`verk:node:${nodeId}`))?.split(":")[1] ?? -1);

  it("blocked for 2.4 s, it keeps its in-progress jobs: no peer recovers them, nothing runs twice", async () => {
    const recovered = await startPeer();
    const child = await blockingNode("blocked", FAST);
    await peer!.enqueue({ class: "Hold", queue: "q", args: ["held"] });
    await child.waitFor((l) => l.event === "ran" && l.id === "held", "the long job");
    await peer!.enqueue({ class: "Block", queue: "q", args: ["block", 2_400] });
    await child.waitFor((l) => l.event === "done" && l.id === "block", "the 2.4 s block to end", 15_000);
    // The node is back: let the peer scan a few more times after its next beats.
    const beat = await beatNumber("blocked");
    await until(async () => (await beatNumber("blocked")) >= beat + 6, 5_000, "six more beats");
    expect(recovered).toEqual([]);
    expect(await redis.redis.lrange("inprogress:q:blocked", 0, -1)).toHaveLength(1); // "held" is still its own
    expect(await redis.redis.llen("queue:q")).toBe(0);
    const runs = child.lines.filter((l) => l.event === "ran").map((l) => l.id);
    expect(runs.sort()).toEqual(["block", "held"]);
    const warnings = child.lines.filter(
      (l) => l.event === "log" && /heartbeat expired/.test(String(l.message)),
    );
    expect(warnings).toEqual([]);
  });

  it("a blocking job waiting at start is covered from the first job on, even under a slow loader", async () => {
    const recovered = await startPeer();
    await peer!.enqueueBulk(
      ["first", "second"].map((id) => ({ class: "Block", queue: "q", args: [id, 2_400] })),
    );
    // The app runs under a loader that is slow in every thread (as tsx is): the keep-alive thread
    // must not inherit it, and the node waits for the thread before its first job.
    const child = startNodeProcess(
      {
        VERK_URL: redis.url,
        VERK_NODE_ID: "busy-at-start",
        VERK_QUEUES: '{"q":1}',
        VERK_LIVENESS: JSON.stringify(FAST),
        VERK_SIDEKIQ_PROCESS: "1",
      },
      ["--import", SLOW_THREAD_LOADER],
    );
    await child.waitFor((l) => l.event === "done" && l.id === "second", "both blocks to end", 20_000);
    const beat = await beatNumber("busy-at-start");
    await until(async () => (await beatNumber("busy-at-start")) >= beat + 6, 5_000, "six more beats");
    expect(recovered).toEqual([]);
    expect(child.lines.filter((l) => l.event === "ran").map((l) => l.id)).toEqual(["first", "second"]);
  });

  it("blocked longer than maxEventLoopBlockMs, it is recovered by a peer like a dead node", async () => {
    const recovered = await startPeer();
    const child = await blockingNode("wedged", { ...FAST, maxEventLoopBlockMs: 1_000 });
    await peer!.enqueue({ class: "Block", queue: "q", args: ["wedge", 4_000] });
    const ran = await child.waitFor((l) => l.event === "ran" && l.id === "wedge", "the 4 s block to start");
    await until(
      () => recovered.some((r) => r.from === "wedged"),
      6_000,
      "the peer to recover the wedged node",
    );
    const done = child.lines.find((l) => l.event === "done");
    expect(done).toBeUndefined(); // recovered while still blocked
    expect(recovered.find((r) => r.from === "wedged")!.count).toBe(1);
    expect(ran).toBeDefined();
    child.child.kill("SIGKILL"); // it would run the recovered job again, and be wedged again
  });
});

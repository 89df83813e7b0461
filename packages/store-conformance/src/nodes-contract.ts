import type { NodesCapability, VerkStore } from "@verk/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConformanceHarness, rawJob, texts, waitFor } from "./helpers.js";

const recovery = { batchSize: 2, maxRecoveries: 3, deadLimits: { maxJobs: 100, maxAgeSeconds: 1e9 } };

/** The store's `nodes` capability, or a clear failure when it has none. */
export function nodesOf(store: VerkStore): NodesCapability {
  const nodes = store.capabilities?.nodes;
  if (!nodes) throw new Error(`the "${store.kind}" store has no nodes capability`);
  return nodes;
}

/** Fetch `count` jobs of `queue` as `nodeId` (they land in its in-progress list). */
export async function fetchAs(
  store: VerkStore,
  queue: string,
  nodeId: string,
  count: number,
): Promise<Buffer[]> {
  const channel = store.openQueue(queue, nodeId);
  try {
    return (await channel.fetch(count, 100)).jobs;
  } finally {
    await channel.close();
  }
}

/**
 * The `nodes` capability (the node registry core's liveness policy runs on): beats, liveness,
 * recovery of dead peers with poison pills, forgetting peers, in-progress listing.
 */
export function nodesContract(getHarness: () => ConformanceHarness): void {
  describe("nodes capability", () => {
    let store: VerkStore;
    let nodes: NodesCapability;
    beforeEach(async () => {
      await getHarness().reset();
      store = getHarness().store();
      await store.connect();
      nodes = nodesOf(store);
    });
    afterEach(async () => {
      await store.close();
    });

    it("beat reports the previous value and the registration; readBeat, members and alive follow; the TTL expires", async () => {
      const first = await nodes.beat("n1", "tok:0", 300, ["q"]);
      expect(first).toMatchObject({ previous: undefined, registered: false });
      const second = await nodes.beat("n1", "tok:1", 300, ["q"]);
      expect(second).toMatchObject({ previous: "tok:0", registered: true });
      // a store with a data epoch keeps it while it keeps its data
      expect(second.epoch).toBe(first.epoch);
      expect(await nodes.readBeat("n1")).toBe("tok:1");
      expect(await nodes.members()).toContain("n1");
      expect(await nodes.alive(["n1", "nobody"])).toEqual([true, false]);
      await waitFor(async () => !(await nodes.alive(["n1"]))[0], 3_000, "the beat to expire");
      expect(await nodes.readBeat("n1")).toBeUndefined();
      // expired but still registered: the next beat says the previous one was gone
      const third = await nodes.beat("n1", "tok:2", 300, ["q"]);
      expect(third).toMatchObject({ previous: undefined, registered: true });
      expect(third.epoch).toBe(first.epoch);
    });

    it("endBeat ends a node's heartbeat at once", async () => {
      await nodes.beat("n2", "v", 10_000, ["q"]);
      await nodes.endBeat("n2", ["q"]);
      expect(await nodes.alive(["n2"])).toEqual([false]);
      expect(await nodes.readBeat("n2")).toBeUndefined();
    });

    it("inProgress lists a node's exact fetched bytes, newest first", async () => {
      await store.registerNode("n3", ["q"]);
      await store.push([1, 2].map((n) => ({ queue: "q", raw: rawJob("q", n) })));
      await fetchAs(store, "q", "n3", 2);
      expect(texts(await nodes.inProgress("q", "n3"))).toEqual([rawJob("q", 2), rawJob("q", 1)]);
      expect(await nodes.inProgress("q", "nobody")).toEqual([]);
    });

    it("recoverPeer leaves a live peer alone, then puts a dead peer's jobs back at the front with a recovery count", async () => {
      await nodes.beat("ghost", "g:0", 300, ["q"]);
      await store.push([1, 2, 3].map((n) => ({ queue: "q", raw: rawJob("q", n) })));
      await fetchAs(store, "q", "ghost", 2);
      expect(await nodes.recoverPeer("ghost", recovery)).toEqual({ recovered: 0, poisoned: 0, dead: false });
      expect(await nodes.inProgress("q", "ghost")).toHaveLength(2);
      expect(await nodes.forgetPeer("ghost")).toBe(false);
      await waitFor(async () => !(await nodes.alive(["ghost"]))[0], 3_000, "the ghost's beat to expire");
      expect(await nodes.forgetPeer("ghost")).toBe(false); // still owns jobs
      expect(await nodes.recoverPeer("ghost", recovery)).toEqual({ recovered: 2, poisoned: 0, dead: true });
      expect(await nodes.inProgress("q", "ghost")).toEqual([]);
      await store.registerNode("n4", ["q"]);
      const again = (await fetchAs(store, "q", "n4", 3)).map((raw) => JSON.parse(raw.toString()));
      expect(again.map((job) => job.args[0])).toEqual([1, 2, 3]);
      expect(again.map((job) => job.recoveries)).toEqual([1, 1, undefined]);
      expect(await nodes.forgetPeer("ghost")).toBe(true);
      expect(await nodes.members()).not.toContain("ghost");
      expect(await nodes.forgetPeer("ghost")).toBe(false);
    });

    it("recoverPeer sends a job recovered more than maxRecoveries times to the dead set as a poison pill", async () => {
      await nodes.beat("ghost2", "g:0", 200, ["q"]);
      await store.push([
        { queue: "q", raw: rawJob("q", 1, { recoveries: 3 }) },
        { queue: "q", raw: rawJob("q", 2, { recoveries: 1 }) },
      ]);
      await fetchAs(store, "q", "ghost2", 2);
      await waitFor(async () => !(await nodes.alive(["ghost2"]))[0], 3_000, "the beat to expire");
      expect(await nodes.recoverPeer("ghost2", recovery)).toEqual({ recovered: 1, poisoned: 1, dead: true });
      expect(await store.counts()).toMatchObject({ dead: 1, queues: { q: 1 } });
      await store.registerNode("n5", ["q"]);
      const [back] = await fetchAs(store, "q", "n5", 5);
      expect(JSON.parse(back!.toString())).toMatchObject({ args: [2], recoveries: 2 });
    });

    it("several recoverers of one dead peer move each job exactly once", async () => {
      await nodes.beat("ghost3", "g:0", 200, ["q"]);
      await store.push(Array.from({ length: 40 }, (_, n) => ({ queue: "q", raw: rawJob("q", n) })));
      await fetchAs(store, "q", "ghost3", 40);
      await waitFor(async () => !(await nodes.alive(["ghost3"]))[0], 3_000, "the beat to expire");
      const others = [getHarness().store(), getHarness().store()];
      await Promise.all(others.map((s) => s.connect()));
      try {
        const results = await Promise.all(
          [store, ...others].map((s) => nodesOf(s).recoverPeer("ghost3", { ...recovery, batchSize: 5 })),
        );
        expect(results.reduce((n, r) => n + r.recovered, 0)).toBe(40);
      } finally {
        await Promise.all(others.map((s) => s.close()));
      }
      await store.registerNode("n6", ["q"]);
      const back = await fetchAs(store, "q", "n6", 100);
      expect(new Set(texts(back).map((t) => JSON.parse(t).jid)).size).toBe(40);
      expect(back).toHaveLength(40);
    });
  });
}

import { createVerk, defineWorker, type Logger, type Verk, type VerkOptions } from "@verk/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConformanceHarness, rawJob, waitFor } from "./helpers.js";
import { fetchAs, nodesOf } from "./nodes-contract.js";

/** Fast liveness for tests on an idle machine (see core's LivenessOptions for safe production values). */
const FAST = { heartbeatMs: 100, nodeTtlMs: 400 } as const;

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

/**
 * Core's liveness policy on the store, through running Verk nodes: a crashed peer's jobs run
 * again, a poison pill goes to the dead set, a second live process with the same node id is refused.
 */
export function livenessContract(getHarness: () => ConformanceHarness): void {
  describe("liveness through running nodes", () => {
    const instances: Verk[] = [];
    const make = (options: Omit<VerkOptions, "store">): Verk => {
      const verk = createVerk({
        store: getHarness().store(),
        fetchBlockMs: 100,
        liveness: FAST,
        logger: silent,
        ...options,
      });
      instances.push(verk);
      return verk;
    };
    beforeEach(async () => {
      await getHarness().reset();
    });
    afterEach(async () => {
      await Promise.all(instances.splice(0).map((verk) => verk.stop({ timeout: 500 })));
    });

    /** A "crashed" node: registered, holding `raws` in progress, its heartbeat left to expire. */
    async function crashedPeer(peer: string, raws: string[]): Promise<void> {
      const store = getHarness().store();
      await store.connect();
      try {
        await store.registerNode(peer, ["live"]);
        await nodesOf(store).beat(peer, "crashed:0", 150, ["live"]);
        await store.push(raws.map((raw) => ({ queue: "live", raw })));
        expect(await fetchAs(store, "live", peer, raws.length)).toHaveLength(raws.length);
      } finally {
        await store.close();
      }
    }

    it("a live node recovers a dead peer's in-progress jobs, runs them and forgets the peer", async () => {
      await crashedPeer(
        "crashed-a",
        [1, 2].map((n) => rawJob("live", n, { class: "Rec" })),
      );
      const ran: number[] = [];
      const Rec = defineWorker("Rec", (n: number) => {
        ran.push(n);
      });
      const verk = make({ queues: { live: 2 }, workers: [Rec] });
      const recovered: unknown[] = [];
      const down: unknown[] = [];
      verk.on("jobs:recovered", (event) => {
        recovered.push(event);
      });
      verk.on("node:down", (event) => {
        down.push(event);
      });
      await verk.start();
      await waitFor(() => ran.length === 2 && down.length === 1, 8_000, "recovery of the crashed peer");
      expect(ran.sort()).toEqual([1, 2]);
      expect(recovered).toEqual([{ nodeId: verk.nodeId, fromNodeId: "crashed-a", count: 2 }]);
      expect(down).toEqual([{ nodeId: "crashed-a", reason: "expired" }]);
      expect(await nodesOf(verk.store).members()).not.toContain("crashed-a");
    });

    it("a job that crashed nodes more than maxRecoveries times goes to the dead set and never runs", async () => {
      await crashedPeer("crashed-b", [rawJob("live", 7, { class: "Rec", recoveries: 3 })]);
      const ran: number[] = [];
      const Rec = defineWorker("Rec", (n: number) => {
        ran.push(n);
      });
      const verk = make({ queues: { live: 1 }, workers: [Rec] });
      await verk.start();
      await waitFor(async () => (await verk.store.counts()).dead === 1, 8_000, "the poison pill");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(ran).toEqual([]);
      expect((await verk.store.counts()).queues.live ?? 0).toBe(0);
    });

    it("refuses to start a second live process with the same node id (NODE_ID_IN_USE)", async () => {
      const first = make({ queues: { live: 1 }, workers: [], nodeId: "twin-node" });
      await first.start();
      const second = make({ queues: { live: 1 }, workers: [], nodeId: "twin-node" });
      await expect(second.start()).rejects.toMatchObject({ code: "NODE_ID_IN_USE" });
      expect(await nodesOf(first.store).readBeat("twin-node")).toMatch(/:/);
    });
  });
}

import { afterAll, beforeAll, describe } from "vitest";
import { capabilitiesContract } from "./capabilities-contract.js";
import type { ConformanceHarness } from "./helpers.js";
import { livenessContract } from "./liveness-contract.js";
import { nodesContract } from "./nodes-contract.js";
import { runtimeContract } from "./runtime-contract.js";
import { storeContract } from "./store-contract.js";

export type { ConformanceHarness } from "./helpers.js";
export { rawJob, waitFor } from "./helpers.js";

/**
 * Run the shared behaviour suite against a store implementation: the queue semantics, the
 * runtime on top of it, the `nodes` capability and core's liveness policy through running nodes,
 * and the add-ons' capabilities (lease, once, event log, stats, queue inspection).
 * `setup` is called once (beforeAll) and must return a harness on an empty backend.
 */
export function runStoreConformance(name: string, setup: () => Promise<ConformanceHarness>): void {
  describe(`store conformance: ${name}`, () => {
    let harness: ConformanceHarness | undefined;
    const get = (): ConformanceHarness => {
      if (!harness) throw new Error("conformance harness not set up");
      return harness;
    };
    beforeAll(async () => {
      harness = await setup();
    });
    afterAll(async () => {
      await harness?.close();
    });
    storeContract(get);
    runtimeContract(get);
    nodesContract(get);
    livenessContract(get);
    capabilitiesContract(get);
  });
}

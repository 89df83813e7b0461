import { describe, expect, it } from "vitest";
import { ALL_STEPS, parseArgs } from "../src/args.js";
import { STEPS } from "../src/steps.js";

describe("--steps", () => {
  it("runs every workload by default, each of which has a runner", () => {
    expect(parseArgs([]).steps).toEqual([...ALL_STEPS]);
    expect(STEPS.map((step) => step.id)).toEqual([...ALL_STEPS]);
  });

  it("expands groups, keeps the run order and drops duplicates", () => {
    expect(parseArgs(["--steps", "due,bulk,due-2k"]).steps).toEqual([
      "bulk",
      "due-2k",
      "due-20k",
      "due-200k",
    ]);
    expect(parseArgs(["--steps", "issue16"]).steps).toHaveLength(9);
    expect(parseArgs(["--steps", "classic"]).steps).toEqual([
      "enqueue",
      "bulk",
      "process",
      "process2",
      "latency",
    ]);
  });

  it("selects issue #13's workloads as a group", () => {
    expect(parseArgs(["--steps", "issue13"]).steps).toEqual(["cluster-layout", "wait-replicas"]);
  });

  it("rejects an unknown step, naming it", () => {
    expect(() => parseArgs(["--steps", "process-2kb"])).toThrow('unknown step "process-2kb"');
  });
});

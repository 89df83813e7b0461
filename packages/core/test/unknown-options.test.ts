import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk } from "../src/verk.js";
import { defineWorker } from "../src/worker.js";

const store = () => new MemoryStore();

describe("unknown option keys are rejected with the closest known key", () => {
  it.each([
    [{ queus: { default: 1 } }, "createVerk.queus", "queues"],
    [{ queues: { default: { concurrency: 1, priority: 5 } } }, "queues.default.priority", undefined],
    [{ queues: { default: { concurency: 1 } } }, "queues.default.concurency", "concurrency"],
    [{ dead: { maxJob: 5 } }, "dead.maxJob", "maxJobs"],
    [{ pollIntervalMS: 100 }, "createVerk.pollIntervalMS", "pollIntervalMs"],
    [{ logLevle: undefined }, "createVerk.logLevle", "logLevel"],
  ])("createVerk(%j) names %s", (options, field, hint) => {
    let thrown: unknown;
    try {
      createVerk({ store: store(), ...(options as object) });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "INVALID_OPTION", field });
    if (hint !== undefined) expect((thrown as Error).message).toContain(`did you mean "${hint}"`);
    expect((thrown as Error).message).toContain(field);
  });

  it("accepts the option names of isolated queues (merged from their branch)", () => {
    const verk = createVerk({
      store: store(),
      queues: { q: { concurrency: 2 } },
      ...({ workerModule: undefined } as object),
    });
    expect(verk.queues()).toEqual([{ name: "q", concurrency: 2, running: 0, status: "stopped" }]);
  });

  it("rejects unknown keys in addQueue, worker options, per-call options, stop and pause", async () => {
    const verk = createVerk({ store: store(), queues: { q: 1 } });
    await expect(verk.addQueue("x", { concurrency: 1, priority: 2 } as never)).rejects.toMatchObject({
      code: "INVALID_OPTION",
      field: "queues.x.priority",
    });
    expect(() => defineWorker("W", () => {}, { retries: 3 } as never)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", field: 'defineWorker("W").retries' }),
    );
    expect(() => defineWorker("W", () => {}, { timout: 5 } as never)).toThrow(/did you mean "timeout"/);
    const W = defineWorker("W2", () => {});
    expect(() => W.with({ queu: "low" } as never)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", field: "W2.with.queu" }),
    );
    await expect(verk.pauseQueue("q", { forse: true } as never)).rejects.toMatchObject({
      field: "pauseQueue.forse",
    });
    await expect(verk.stop({ timout: 1 } as never)).rejects.toMatchObject({ field: "stop.timout" });
  });
});

import { MemoryStore } from "@verk/core";
import { events, subscribeEvents } from "@verk/events";
import { scheduler } from "@verk/scheduler";
import { stats } from "@verk/stats";
import { describe, expect, it } from "vitest";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("the add-ons reject unknown option keys, naming the closest known one", () => {
  it.each([
    ["stats", () => stats({ flushIntervalMS: 5 } as never), "stats.flushIntervalMS", "flushIntervalMs"],
    ["events", () => events({ bufferSise: 5 } as never), "events.bufferSise", "bufferSize"],
    ["events.publish", () => events({ publish: { maxlen: 5 } } as never), "events.publish.maxlen", "maxLen"],
    [
      "events.publish.events",
      () => events({ publish: { events: ["job:finishd"] } } as never),
      "publish.events[0]",
      "job:finished",
    ],
    ["scheduler", () => scheduler({ leaseTTLMs: 5 } as never), "scheduler.leaseTTLMs", "leaseTtlMs"],
    [
      "scheduler cron entry",
      () => scheduler({ cron: [{ name: "a", every: 1000, job: { class: "A" }, timeZone: "UTC" }] } as never),
      "cron[0].timeZone",
      "timezone",
    ],
    [
      "subscribeEvents",
      () => subscribeEvents(new MemoryStore(), { blockMS: 5 } as never),
      "subscribeEvents.blockMS",
      "blockMs",
    ],
  ])("%s", (_name, call, field, hint) => {
    const error = thrown(call);
    expect(error).toMatchObject({ code: "INVALID_OPTION", field });
    expect((error as Error).message).toContain(`did you mean "${hint}"`);
  });
});

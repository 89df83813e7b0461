import { Writable } from "node:stream";
import { createVerk, defineWorker } from "@verk/core";
import { events } from "@verk/events";
import { redisStore } from "@verk/redis-store";
import { scheduler } from "@verk/scheduler";
import { stats } from "@verk/stats";
import { until, useRedis } from "@verk/test-redis/vitest";
import pino from "pino";
import { describe, expect, it } from "vitest";

const fx = useRedis();

type Line = Record<string, unknown> & { level: number; msg: string; err?: Record<string, unknown> };

/** A real pino logger writing JSON lines into memory. */
function memoryPino() {
  const lines: Line[] = [];
  let buffered = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      buffered += chunk.toString();
      let nl = buffered.indexOf("\n");
      while (nl >= 0) {
        lines.push(JSON.parse(buffered.slice(0, nl)) as Line);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf("\n");
      }
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

describe("a pino logger as it is, for the core and the add-ons", () => {
  it("a failing job and failing add-on writes log JSON lines with queue/class/jid fields and a serialised err", async () => {
    const { logger, lines } = memoryPino();
    // Make each add-on's writes fail, deterministically: wrong key types.
    await fx.redis.set("verk:events", "not a stream");
    await fx.redis.set("queue:blocked", "not a list");
    let ran = 0;
    const Bad = defineWorker("Bad", async () => {
      ran++;
      throw new RangeError("kaboom");
    });
    const verkStats = stats({ flushIntervalMs: 50 });
    const verk = createVerk({
      store: redisStore({ url: fx.url }),
      queues: { default: 2 },
      workers: [Bad],
      logger,
      plugins: [
        verkStats,
        events({ publish: true }),
        scheduler({ cron: [{ name: "tick", every: 100, job: { class: "Bad", queue: "blocked" } }] }),
      ],
    });
    await verk.start();
    let jid = "";
    try {
      jid = (await verk.enqueue({ class: "Bad", queue: "default", retry: false })) ?? "";
      await until(() => ran === 1);
      // Reading the store for a scrape fails: `queues` is no set any more.
      await fx.redis.del("queues");
      await fx.redis.set("queues", "not a set");
      const text = await verkStats.metrics();
      expect(text).toContain("verk_jobs_total");
      expect(text).not.toContain("verk_queue_jobs{");
      await until(() => lines.some((l) => l.plugin === "@verk/scheduler" && l.cron === "tick"));
      await until(() => lines.some((l) => l.plugin === "@verk/events" && l.jid === jid));
    } finally {
      await verk.stop({ timeout: 1_000 });
    }
    // The core's failure line: pino's level (warn: a job dropped for good), `queue`, `class`, `jid`,
    // and the error under `err` with type, message, stack.
    const failure = lines.find((l) => l.err?.message === "kaboom" && l.queue === "default");
    expect(failure).toMatchObject({
      level: 40,
      queue: "default",
      class: "Bad",
      jid,
      err: { type: "RangeError", message: "kaboom" },
    });
    expect(String(failure!.err!.stack)).toContain("RangeError: kaboom");
    // `class` and `jid`: as fields, or (core's current line) in the message.
    const text = `${failure!.class ?? ""} ${failure!.jid ?? ""} ${failure!.msg}`;
    expect(text).toContain("Bad");
    expect(text).toContain(jid);
    // The add-ons' own lines: structured fields, errors serialised by pino.
    const published = lines.find((l) => l.plugin === "@verk/events" && l.jid === jid)!;
    expect(published).toMatchObject({
      level: 40,
      queue: "default",
      class: "Bad",
      msg: "publishing an event failed",
    });
    expect(published.err).toMatchObject({
      type: "ReplyError",
      message: expect.stringContaining("WRONGTYPE"),
    });
    const tick = lines.find((l) => l.plugin === "@verk/scheduler" && l.cron === "tick")!;
    expect(tick).toMatchObject({
      level: 50,
      class: "Bad",
      queue: "blocked",
      msg: "enqueuing a periodic job failed",
    });
    expect(typeof tick.tick).toBe("string");
    expect(tick.err?.message).toMatch(/WRONGTYPE/);
    const scrape = lines.find((l) => l.plugin === "@verk/stats")!;
    expect(scrape).toMatchObject({ level: 40, msg: "reading the store for metrics failed" });
    expect(String(scrape.err?.stack)).toContain("WRONGTYPE");
  });
});

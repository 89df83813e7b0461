import { fileURLToPath } from "node:url";
import { until, useRedis } from "@verk/test-redis/vitest";
import { describe, expect, it } from "vitest";
import { isVerkError } from "../src/errors.js";
import { defineWorker } from "../src/worker.js";
import { decompressBacktrace } from "./isolation-backtrace.js";
import { cleanUpAfterEach, lines, node, recordingLogger, retrySet, tempFile } from "./isolation-helpers.js";

const redis = useRedis();
cleanUpAfterEach();
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/isolation/${name}`, import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("graceful stop of isolated queues", () => {
  it.each(["thread", "process"] as const)(
    "%s: waits up to its timeout, terminates the pool, then puts the running jobs back at the front",
    async (mode) => {
      const log = tempFile("pids.log");
      const verk = node(redis.url, { queues: { iso: { concurrency: 2, isolation: mode } } });
      await verk.start();
      const running = [
        await verk.enqueue({ class: "Sleeps", queue: "iso", args: [60_000, log] }),
        await verk.enqueue({ class: "Sleeps", queue: "iso", args: [60_000, log] }),
      ];
      await until(() => lines(log).length === 2, 10_000, "both handlers to start");
      const waiting = await verk.enqueue({ class: "Ok", queue: "iso" });
      const t0 = Date.now();
      await verk.stop({ timeout: 300 });
      expect(Date.now() - t0).toBeLessThan(5_000);
      const queue = (await redis.redis.lrange("queue:iso", 0, -1)).map((raw: string) => JSON.parse(raw).jid);
      // The front of a queue is its right end (Sidekiq pops from there).
      expect(queue[0]).toBe(waiting);
      expect(queue.slice(1).sort()).toEqual([...running].sort());
      expect(await redis.redis.keys("inprogress:*")).toEqual([]);
      if (mode === "process") for (const pid of lines(log).map(Number)) expect(alive(pid)).toBe(false);
    },
  );
});

describe("errors at start, not at the first job", () => {
  const isolated = { iso: { concurrency: 1, isolation: "thread" as const } };
  it.each([
    [
      "a workerModule that does not exist",
      { workerModule: "/no/such/workers.mjs" },
      /^workerModule \/no\/such\/workers\.mjs does not exist$/,
    ],
    [
      "a workerModule that throws at import",
      { workerModule: fixture("throws-at-import.mjs") },
      /throws-at-import\.mjs threw at import: Error: config missing: SMTP_URL$/,
    ],
    [
      "a workerModule without workers",
      { workerModule: fixture("empty.mjs") },
      /empty\.mjs exports no defineWorker\(\) result$/,
    ],
    [
      "a class the queue's classes option names but the module lacks",
      { queues: { iso: { ...isolated.iso, classes: ["Ok", "Resize"] } } },
      /workers\.mjs does not export "Resize", needed by isolated queue "iso" \(its classes option\); it exports .*\bOk\b/,
    ],
    [
      "a worker registered for the queue that the module lacks",
      { workers: [defineWorker("Resize", () => {}, { queue: "iso" })] },
      /does not export "Resize", needed by isolated queue "iso" \(workers registered with queue "iso"\)/,
    ],
  ])("%s: start() rejects with WORKER_MODULE", async (_name, options, message) => {
    const verk = node(redis.url, { queues: isolated, ...options });
    const error = await verk.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVerkError(error) && error.code).toBe("WORKER_MODULE");
    expect((error as Error).message).toMatch(message);
    expect(verk.state).toBe("stopped");
  });

  it("an isolated queue without workerModule is an INVALID_OPTION at createVerk", () => {
    expect(() =>
      node(redis.url, { queues: { iso: { concurrency: 1, isolation: "process" } }, workerModule: undefined }),
    ).toThrow(/invalid option "workerModule": queue "iso" is isolated/);
  });
});

describe("inside the thread", () => {
  it("the handler gets the JobContext; its logger forwards to the node's logger", async () => {
    const logger = recordingLogger();
    const verk = node(redis.url, { queues: { iso: { concurrency: 1, isolation: "thread" } }, logger });
    await verk.start();
    const jid = await verk.enqueue({ class: "Ok", queue: "iso", args: ["hello"] });
    await until(
      () => logger.lines.some((l) => l.message === `ok ${jid} in iso`),
      10_000,
      "the forwarded log line",
    );
    const line = logger.lines.find((l) => l.message === `ok ${jid} in iso`)!;
    expect(line.level).toBe("info");
    expect(line.fields).toEqual({
      queue: "iso",
      class: "Ok",
      jid,
      note: "hello",
      retryCount: null,
      hasSignal: true,
    });
  });

  it("errors keep class, message and stack; a custom backoff is computed in the thread", async () => {
    const verk = node(redis.url, { queues: { iso: { concurrency: 1, isolation: "thread" } } });
    await verk.start();
    const before = Date.now() / 1000;
    await verk.enqueue({ class: "Throws", queue: "iso", backtrace: true });
    await until(async () => (await retrySet(redis.redis)).length === 1, 10_000, "the failure");
    const [job] = await retrySet(redis.redis);
    expect(job).toMatchObject({
      error_class: "PaymentDeclined",
      error_message: "card 42 declined",
      retry_count: 0,
    });
    expect(decompressBacktrace(String(job!.error_backtrace)).join("\n")).toMatch(/workers\.mjs/);
    const [, score] = await redis.redis.zrange("retry", 0, 0, "WITHSCORES");
    // backoff: (count) => 1000 + count, evaluated in the thread (count 0).
    expect(Number(score) - before).toBeGreaterThanOrEqual(999);
    expect(Number(score) - before).toBeLessThan(1_010);
  });

  it("a CommonJS worker module works the same (process mode)", async () => {
    const out = tempFile("cjs.log");
    const verk = node(redis.url, {
      queues: { cjs: { concurrency: 1, isolation: "process" } },
      workerModule: fixture("workers.cjs"),
    });
    await verk.start();
    const jid = await verk.enqueue({ class: "CjsOk", queue: "cjs", args: [out] });
    await until(() => lines(out).length === 1, 10_000, "the CommonJS handler");
    expect(lines(out)).toEqual([`${jid} cjs`]);
  });
});

describe("in-process queues warn when a handler blocks the event loop", () => {
  it("names the queue and class, for a synchronous block and for one after an await", async () => {
    const logger = recordingLogger();
    const spin = (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {}
    };
    const SyncBlock = defineWorker("SyncBlock", () => spin(150), { queue: "local" });
    const LateBlock = defineWorker(
      "LateBlock",
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        spin(250);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      },
      { queue: "late" },
    );
    const verk = node(redis.url, { queues: { local: 1, late: 1 }, workers: [SyncBlock, LateBlock], logger });
    await verk.start();
    await verk.enqueue({ class: "SyncBlock", queue: "local" });
    await until(
      () => logger.lines.some((l) => l.level === "warn" && l.fields.class === "SyncBlock"),
      5_000,
      "the sync warning",
    );
    const sync = logger.lines.find((l) => l.fields.class === "SyncBlock")!;
    expect(sync.fields).toMatchObject({ queue: "local", class: "SyncBlock" });
    expect(Number(sync.fields.blockedMs)).toBeGreaterThanOrEqual(140);
    await verk.enqueue({ class: "LateBlock", queue: "late" });
    await until(
      () => logger.lines.some((l) => l.level === "warn" && /late\/LateBlock/.test(l.message)),
      5_000,
      "the loop-delay warning",
    );
  });
});

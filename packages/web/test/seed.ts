import { compressBacktrace, METRICS_BUCKETS_MS, minuteStart, utcDay } from "@verk/core";
import type { RedisStore } from "@verk/redis-store";
import type { Redis } from "ioredis";

/** Attacker-controlled text used in args and error messages: must only ever show as text. */
export const XSS_ARG = `<img src=x onerror="window.__pwned=1">`;
export const XSS_SCRIPT = `<script>window.__pwned=2</script>`;

/** A Sidekiq-shaped payload. */
export function payload(jid: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    retry: true,
    queue: "default",
    class: "SendEmail",
    args: ["ada@example.com", 42],
    jid,
    created_at: 1_764_000_000.25,
    enqueued_at: Date.now() / 1000 - 30.5,
    ...extra,
  });
}

/** A failed payload as stored in `retry` or `dead`. */
export function failed(jid: string, extra: Record<string, unknown> = {}): string {
  const stack = "Error: SMTP timeout\n    at send (mailer.js:10:5)\n    at perform (worker.js:3:9)";
  return payload(jid, {
    error_message: "SMTP timeout after 30 s",
    error_class: "TimeoutError",
    failed_at: 1_764_000_100.5,
    retry_count: 2,
    error_backtrace: compressBacktrace(stack, true),
    ...extra,
  });
}

/** Jids the tests act on. */
export const JIDS = {
  retryA: "aaaaaaaaaaaaaaaaaaaaaaa1",
  retryB: "aaaaaaaaaaaaaaaaaaaaaaa2",
  retryXss: "aaaaaaaaaaaaaaaaaaaaaaa3",
  scheduled: "bbbbbbbbbbbbbbbbbbbbbbb1",
  dead: "ccccccccccccccccccccccc1",
  deadXss: "ccccccccccccccccccccccc2",
  queued: "ddddddddddddddddddddddd1",
} as const;

/** Fill Redis with a bit of everything: queues, sets, a process, counters, metrics, cron. */
export async function seed(redis: Redis, store: RedisStore): Promise<void> {
  const now = Date.now() / 1000;
  await redis.sadd("queues", "default", "mailers", "low");
  await redis.lpush(
    "queue:default",
    payload(JIDS.queued),
    ...Array.from({ length: 11 }, (_, i) => payload(`q${String(i).padStart(22, "0")}`, { args: [i] })),
  );
  await redis.lpush(
    "queue:mailers",
    payload("m1", { queue: "mailers", class: "Newsletter", args: [XSS_SCRIPT] }),
  );
  await redis.lpush("queue:low", payload("l1", { queue: "low", class: "Cleanup" }));
  await redis.sadd("verk:paused", "low");
  await redis.zadd(
    "retry",
    now + 60,
    failed(JIDS.retryA),
    now + 120,
    failed(JIDS.retryB, { class: "Report", queue: "low" }),
    now + 180,
    failed(JIDS.retryXss, {
      args: [XSS_ARG, XSS_SCRIPT],
      error_message: `bad input ${XSS_ARG} ${XSS_SCRIPT}`,
    }),
  );
  await redis.zadd("schedule", now + 3600, payload(JIDS.scheduled, { class: "Reminder" }));
  await redis.zadd(
    "dead",
    now - 600,
    failed(JIDS.dead, { class: "Charge" }),
    now - 300,
    failed(JIDS.deadXss, { args: [XSS_SCRIPT], error_message: XSS_ARG }),
  );
  await redis.set("stat:processed", "12345");
  await redis.set("stat:failed", "321");
  for (let d = 0; d < 7; d++) {
    const day = utcDay(new Date(Date.now() - d * 86_400_000));
    await redis.set(`stat:processed:${day}`, String(1000 + d * 150));
    await redis.set(`stat:failed:${day}`, String(20 + d * 7));
  }
  const id = "web-1:4242:abcdef";
  await redis.sadd("processes", id);
  await redis.hset(
    id,
    "info",
    JSON.stringify({
      hostname: "web-1",
      pid: 4242,
      tag: "api",
      concurrency: 10,
      queues: ["default", "mailers"],
      started_at: now - 7200,
      identity: id,
    }),
    "busy",
    "1",
    "beat",
    String(now - 2),
    "quiet",
    "false",
    "rss",
    "204800",
  );
  await redis.hset(
    `${id}:work`,
    "running1",
    JSON.stringify({
      queue: "default",
      payload: payload("r1", { class: "Export", args: [XSS_ARG] }),
      run_at: Math.floor(now - 42),
    }),
  );
  const stats = store.capabilities.stats;
  const minute = minuteStart(Date.now());
  const buckets = (i: number, n: number) => METRICS_BUCKETS_MS.map((_, j) => (j === i ? n : 0)).concat(0);
  for (let m = 0; m < 30; m++) {
    await stats.recordMetrics([
      {
        minute: minute - m * 60_000,
        cells: [
          {
            queue: "default",
            className: "SendEmail",
            processed: 40 + (m % 7),
            failed: m % 5,
            totalMs: 40 * 30,
            buckets: buckets(3, 40),
          },
          {
            queue: "mailers",
            className: "Newsletter",
            processed: 10,
            failed: 1,
            totalMs: 9 * 400,
            buckets: buckets(6, 9),
          },
        ],
      },
    ]);
  }
  await store.capabilities.cronRegistry.put({
    nightly: JSON.stringify({
      name: "nightly",
      pattern: "0 3 * * *",
      timezone: "Europe/Berlin",
      class: "NightlyReport",
      queue: "low",
      catchUp: "latest",
      nextRun: Date.now() + 3_600_000,
      lastRun: Date.now() - 82_800_000,
      lastNode: id,
      updatedAt: Date.now(),
    }),
  });
}

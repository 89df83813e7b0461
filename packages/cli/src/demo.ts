import { consoleLogger, createVerk, defineWorker, type Logger, type NewJob } from "@verk/core";
import { type RedisStore, redisStore } from "@verk/redis-store";

/**
 * The quick-start demo (`verk demo`), shared with `examples/demo`.
 * @packageDocumentation
 */

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Redis to use. */
  redisUrl: string;
  /** Jobs to enqueue right away, split over two queues. (Default: 10,000) */
  jobs?: number;
  /** Jobs scheduled `scheduleDelayMs` ahead. (Default: 500) */
  scheduled?: number;
  /** How far ahead scheduled jobs run, in ms. (Default: 3,000) */
  scheduleDelayMs?: number;
  /** Key namespace, so the demo never touches other data. (Default: "verk-demo") */
  namespace?: string;
  /** Where progress lines go. (Default: process.stdout) */
  out?: NodeJS.WritableStream;
}

/** Counters the demo ends with. */
export interface DemoSummary {
  processed: number;
  failed: number;
  retried: number;
  dead: number;
  seconds: number;
  jobsPerSecond: number;
}

/**
 * The quick-start demo: thousands of jobs on two queues, some failing once and retried, some
 * failing for good and ending in the dead set, some scheduled a few seconds ahead. Prints
 * progress and ends with one summary line. Cleans its namespace before and after.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const total = options.jobs ?? 10_000;
  const scheduledCount = options.scheduled ?? 500;
  const delayMs = options.scheduleDelayMs ?? 3_000;
  const out = options.out ?? process.stdout;
  const namespace = options.namespace ?? "verk-demo";
  const isTty = (out as { isTTY?: boolean }).isTTY === true;

  // Workers: every 20th email fails once (then succeeds on retry); every 250th thumbnail (n % 250 === 1) always fails.
  const attempts = new Map<number, number>();
  const SendEmail = defineWorker(
    "SendEmail",
    async (n: number) => {
      const tries = (attempts.get(n) ?? 0) + 1;
      attempts.set(n, tries);
      if (n % 20 === 0 && tries === 1) throw new Error(`SMTP timeout for email ${n}`);
    },
    { queue: "default", backoff: () => 1 },
  );
  const Thumbnail = defineWorker(
    "Thumbnail",
    async (n: number) => {
      if (n % 250 === 1) throw new RangeError(`image ${n} is corrupt`);
      await new Promise((resolve) => setImmediate(resolve));
    },
    { queue: "media", retry: 1, backoff: () => 1 },
  );

  const store = redisStore({ url: options.redisUrl, namespace });
  // The demo's own progress line counts failures; the per-job "failed (dead)" warnings of its
  // deliberately failing jobs would only bury it. Every other warning still shows.
  const base = consoleLogger("warn");
  const quietFailures = (write: Logger["warn"]): Logger["warn"] =>
    ((first: Record<string, unknown> | string, message?: string) => {
      if (typeof first === "string") write(first);
      else if (first.outcome === undefined) write(first, message ?? "");
    }) as Logger["warn"];
  const logger: Logger = { ...base, warn: quietFailures(base.warn) };
  const verk = createVerk({
    store,
    logger,
    queues: { default: 50, media: 25 },
    workers: [SendEmail, Thumbnail],
    pollIntervalMs: 200,
    shutdownTimeoutMs: 5_000,
  });
  let processed = 0;
  let failed = 0;
  let retried = 0;
  let dead = 0;
  const settled = new Set<string>();
  verk.on("job:finished", ({ job }) => {
    processed++;
    settled.add(job.jid);
  });
  verk.on("job:failed", () => {
    failed++;
  });
  verk.on("job:retried", () => {
    retried++;
  });
  verk.on("job:dead", ({ job }) => {
    dead++;
    settled.add(job.jid);
  });

  await verk.connect();
  await clearNamespace(store.client, namespace);
  const started = Date.now();
  const jobs: NewJob[] = [];
  for (let n = 1; n <= total; n++) {
    jobs.push(
      n % 2 === 0
        ? { class: "SendEmail", queue: "default", args: [n] }
        : { class: "Thumbnail", queue: "media", args: [n], retry: 1 },
    );
  }
  for (let i = 0; i < jobs.length; i += 1_000) await verk.enqueueBulk(jobs.slice(i, i + 1_000));
  for (let n = 1; n <= scheduledCount; n++) await SendEmail.scheduleIn(delayMs, total + n);
  const expected = total + scheduledCount;
  out.write(
    `enqueued ${total} jobs on "default" and "media", scheduled ${scheduledCount} for ${delayMs / 1000} s ahead\n`,
  );

  await verk.start();
  const stop = () => void verk.stop();
  process.once("SIGINT", stop);
  const progress = () => {
    const line = `  ${settled.size}/${expected} done · processed ${processed} · failed ${failed} · retried ${retried} · dead ${dead}`;
    out.write(isTty ? `\r${line}` : `${line}\n`);
  };
  const timer = setInterval(progress, isTty ? 200 : 1_000);
  while (settled.size < expected && verk.state === "running") await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  progress();
  if (isTty) out.write("\n");
  const seconds = (Date.now() - started) / 1000;
  await verk.stop();
  process.removeListener("SIGINT", stop);
  const cleanup = redisStore({ url: options.redisUrl, namespace });
  await cleanup.connect();
  await clearNamespace(cleanup.client, namespace);
  await cleanup.close();
  const jobsPerSecond = Math.round((processed + failed) / seconds);
  out.write(
    `processed ${processed}, failed ${failed}, retried ${retried}, dead ${dead} in ${seconds.toFixed(1)} s (${jobsPerSecond} jobs/s)\n`,
  );
  return { processed, failed, retried, dead, seconds, jobsPerSecond };
}

async function clearNamespace(client: RedisStore["client"], namespace: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${namespace}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== "0");
}

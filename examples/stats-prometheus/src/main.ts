// Runs jobs with random durations and serves Prometheus metrics at http://127.0.0.1:9464/metrics.
// REDIS_URL=redis://127.0.0.1:6379 pnpm --filter @verk/example-stats-prometheus build && ... start
import { createVerk, defineWorker, sleep } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { serveMetrics, stats } from "@verk/stats";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const Resize = defineWorker("Resize", async (ms: number) => {
  await sleep(ms);
  if (ms > 180) throw new Error("too slow, giving up");
});
const verkStats = stats({ flushIntervalMs: 2_000 });
const verk = createVerk({
  store: redisStore({ url, namespace: "verk-example" }),
  queues: { images: 8 },
  workers: [Resize],
  plugins: [verkStats],
});

await verk.start();
const server = await serveMetrics(verkStats, { port: Number(process.env.PORT ?? 9464) });
console.log(`metrics at ${server.url}`);
const timer = setInterval(() => {
  void verk.enqueueBulk(
    Array.from({ length: 20 }, () => ({
      class: "Resize",
      queue: "images",
      args: [Math.round(Math.random() * 200)],
      retry: false,
    })),
  );
}, 1_000);
const report = setInterval(async () => {
  const [q] = await verkStats.queues();
  if (q)
    console.log(
      `${q.name}: size ${q.size} latency ${q.latencySeconds.toFixed(2)}s p50 ${q.durations.p50}ms p99 ${q.durations.p99}ms`,
    );
  console.log("totals", await verkStats.totals());
}, 3_000);
process.once("SIGINT", async () => {
  clearInterval(timer);
  clearInterval(report);
  await verk.stop(); // flushes the stat:* counters
  await server.close();
});

// @verk/stats README: the plugin, its own metrics server, then verk.stop(). Must exit by itself.
import { createVerk, defineWorker } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { serveMetrics, stats } from "@verk/stats";

const url = process.env.REDIS_URL;
const Hello = defineWorker("Hello", async () => {});
const workers = [Hello];
const verkStats = stats({ flushIntervalMs: 5_000 });
const verk = createVerk({
  store: redisStore({ url }),
  queues: { default: 10 },
  workers,
  plugins: [verkStats],
});
await verk.start();
const server = await serveMetrics(verkStats, { port: 0 });
await Hello.enqueue();
console.table(await verkStats.queues());
await fetch(server.url); // a scraper's keep-alive connection stays open
console.log("ready");
await verk.stop(); // flushes the counters and closes `server` too; the process can exit

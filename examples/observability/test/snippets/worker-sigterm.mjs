// A worker with every add-on, stopped on SIGTERM (what `verk work` does). Must exit 0 by itself after SIGTERM.
import { createVerk, defineWorker } from "@verk/core";
import { events } from "@verk/events";
import { otelPlugin } from "@verk/otel";
import { redisStore } from "@verk/redis-store";
import { scheduler } from "@verk/scheduler";
import { serveMetrics, stats } from "@verk/stats";

const Hello = defineWorker("Hello", async () => {});
const verkStats = stats();
const verk = createVerk({
  store: redisStore({ url: process.env.REDIS_URL }),
  queues: { default: 5 },
  workers: [Hello],
  plugins: [
    verkStats,
    events({ publish: true }),
    scheduler({ cron: [{ name: "tick", every: 100, job: { class: "Hello", queue: "default" } }] }),
    otelPlugin(),
  ],
});
await verk.start();
await serveMetrics(verkStats, { port: 0 });
process.once("SIGTERM", () => void verk.stop());
console.log("ready");

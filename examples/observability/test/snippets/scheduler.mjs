// @verk/scheduler README: leader, cron and every jobs, a scheduled job, then verk.stop(). Must exit by itself.
import { createVerk, defineWorker } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { scheduleIn, scheduler } from "@verk/scheduler";

const Report = defineWorker("Report", async () => {});
const Ping = defineWorker("Ping", async () => {});
const verk = createVerk({
  store: redisStore({ url: process.env.REDIS_URL }),
  queues: { default: 10 },
  workers: [Report, Ping],
  plugins: [
    scheduler({
      cron: [
        {
          name: "report",
          pattern: "0 6 * * MON-FRI",
          timezone: "Europe/Berlin",
          job: { class: "Report", queue: "default" },
        },
        { name: "ping", every: 200, job: { class: "Ping", queue: "default", args: [] } },
      ],
    }),
  ],
});
await verk.start();
await scheduleIn(verk, { class: "Report", queue: "default", args: [42] }, 60_000);
await new Promise((r) => setTimeout(r, 300));
console.log("ready");
await verk.stop();

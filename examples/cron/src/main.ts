// Periodic jobs and delayed jobs with @verk/scheduler. Start it twice: one node leads, both run
// the cron, and each tick is enqueued once. Ctrl-C the leader and watch the other take over.
import { createVerk, defineWorker } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { scheduleIn, scheduler } from "@verk/scheduler";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const Report = defineWorker("Report", async (kind: string) =>
  console.log(`${new Date().toISOString()} report ${kind}`),
);
const Reminder = defineWorker("Reminder", async (text: string) => console.log(`reminder: ${text}`));
const plugin = scheduler({
  leaseTtlMs: 5_000,
  cron: [
    { name: "every-10s", every: 10_000, job: { class: "Report", queue: "default", args: ["every 10 s"] } },
    {
      name: "berlin-minute",
      pattern: "* * * * *",
      timezone: "Europe/Berlin",
      job: { class: "Report", queue: "default", args: ["each minute"] },
    },
    {
      name: "weekday-morning",
      pattern: "0 7 * * MON-FRI",
      timezone: "Europe/Berlin",
      job: { class: "Report", queue: "default", args: ["07:00"] },
    },
  ],
});
const verk = createVerk({
  store: redisStore({ url, namespace: "verk-example" }),
  queues: { default: 5 },
  workers: [Report, Reminder],
  plugins: [plugin],
});

await verk.start();
await scheduleIn(verk, { class: "Reminder", queue: "default", args: ["3 seconds later"] }, 3_000);
setInterval(() => console.log(`leader: ${plugin.isLeader}`), 5_000).unref();
process.once("SIGINT", () => void verk.stop());

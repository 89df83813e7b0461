// @verk/stats README: metrics into the app's prom-client registry. Must exit by itself after stop().
import { createVerk, defineWorker } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import { stats } from "@verk/stats";
import { register } from "prom-client";

const Hello = defineWorker("Hello", async () => {});
const store = redisStore({ url: process.env.REDIS_URL });
const verk = createVerk({
  store,
  queues: { default: 10 },
  workers: [Hello],
  plugins: [stats({ registry: register })],
});
await verk.start();
await Hello.enqueue();
if (!(await register.metrics()).includes("verk_jobs_running"))
  throw new Error("no verk metrics in the registry");
console.log("ready");
await verk.stop();

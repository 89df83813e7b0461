// Core README: a pino logger as it is, then verk.stop(). Must exit by itself.
import { createVerk, defineWorker } from "@verk/core";
import { redisStore } from "@verk/redis-store";
import pino from "pino";

const Hello = defineWorker("Hello", async () => {});
const logger = pino({ level: "info" });
const verk = createVerk({
  store: redisStore({ url: process.env.REDIS_URL }),
  queues: { default: 5 },
  workers: [Hello],
  logger,
});
await verk.start();
await Hello.enqueue();
console.log("ready");
await verk.stop();

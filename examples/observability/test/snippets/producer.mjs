// Core README: a producer-only instance (no queues) with add-ons; stop() without start(). Must exit by itself.
import { createVerk } from "@verk/core";
import { otelPlugin } from "@verk/otel";
import { redisStore } from "@verk/redis-store";
import { stats } from "@verk/stats";

const verk = createVerk({
  store: redisStore({ url: process.env.REDIS_URL }),
  plugins: [stats(), otelPlugin()],
});
await verk.enqueue({ class: "Hello", queue: "default", args: [] });
console.log("ready");
await verk.stop();

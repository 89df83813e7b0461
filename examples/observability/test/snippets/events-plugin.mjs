// @verk/events README: the plugin with publishing, then verk.stop(). Must exit by itself.
import { createVerk, defineWorker } from "@verk/core";
import { events } from "@verk/events";
import { redisStore } from "@verk/redis-store";

const Work = defineWorker("Work", async () => {});
const ev = events({ onHandlerError: "detach", publish: true });
let done = 0;
ev.bus.on("job:finished", () => {
  done++;
});
const verk = createVerk({
  store: redisStore({ url: process.env.REDIS_URL }),
  queues: { default: 10 },
  workers: [Work],
  plugins: [ev],
});
await verk.start();
await Work.enqueue();
while (done === 0) await new Promise((r) => setTimeout(r, 10));
console.log("ready");
await verk.stop();

// `node dist/main.js work` runs a node with the events bus and publishing;
// `node dist/main.js tail` follows the events of every node.
import { createVerk, defineWorker } from "@verk/core";
import { events, subscribeEvents } from "@verk/events";
import { redisStore } from "@verk/redis-store";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const store = () => redisStore({ url, namespace: "verk-example" });

if (process.argv[2] === "tail") {
  const feed = subscribeEvents(store(), { from: "$" });
  process.once("SIGINT", () => void feed.close());
  for await (const e of feed) console.log(e.id, e.nodeId, e.event, JSON.stringify(e.payload).slice(0, 120));
} else {
  const Flaky = defineWorker("Flaky", async (n: number) => {
    if (n % 5 === 0) throw new Error(`job ${n} failed`);
  });
  const ev = events({ publish: true, onHandlerError: "detach" });
  ev.bus.on("job:failed", (e) => console.log(`failed: ${e.job.jid} ${String(e.error)} → ${e.outcome}`));
  ev.bus.on("job:finished", async () => {
    throw new Error("a buggy handler: reported once, then detached");
  });
  ev.bus.on("handler:error", (e) => console.log(`handler of ${e.event} failed (detached: ${e.detached})`));
  const verk = createVerk({ store: store(), queues: { default: 5 }, workers: [Flaky], plugins: [ev] });
  await verk.start();
  let n = 0;
  const timer = setInterval(
    () => void verk.enqueue({ class: "Flaky", queue: "default", args: [n++], retry: 1 }),
    500,
  );
  process.once("SIGINT", async () => {
    clearInterval(timer);
    await verk.stop();
  });
}

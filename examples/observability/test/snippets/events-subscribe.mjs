// @verk/events README: follow every node's events; SIGTERM closes the feed. Must then exit by itself.
import { subscribeEvents } from "@verk/events";
import { redisStore } from "@verk/redis-store";

const feed = subscribeEvents(redisStore({ url: process.env.REDIS_URL }), { from: "$" });
process.once("SIGTERM", () => void feed.close()); // ends the loop and closes the store: the process exits
setTimeout(() => console.log("ready"), 300).unref();
for await (const e of feed) console.log(e.nodeId, e.event);

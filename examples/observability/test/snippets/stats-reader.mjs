// @verk/stats README: a reader without a running Verk. Must exit by itself after close().
import { redisStore } from "@verk/redis-store";
import { createStatsReader } from "@verk/stats";

const reader = createStatsReader(redisStore({ url: process.env.REDIS_URL }));
console.table(await reader.queues()); // also totals(), history(days)
await reader.totals();
console.log("ready");
await reader.close(); // closes the store it was given: the process can exit

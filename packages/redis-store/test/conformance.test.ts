import { runStoreConformance } from "@verk/store-conformance";
import { startRedis } from "@verk/test-redis";
import { Redis } from "ioredis";
import { redisStore } from "../src/index.js";

runStoreConformance("redis", async () => {
  const server = await startRedis();
  const admin = new Redis(server.url);
  return {
    store: () => redisStore({ url: server.url }),
    reset: async () => {
      await admin.flushall();
    },
    close: async () => {
      await admin.quit();
      await server.stop();
    },
  };
});

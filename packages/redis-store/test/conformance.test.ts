import { runStoreConformance } from "@verk/store-conformance";
import { startRedis } from "@verk/test-redis";
import { Redis } from "ioredis";
import { redisStore } from "../src/index.js";

for (const layout of ["sidekiq", "cluster"] as const) {
  runStoreConformance(`redis (${layout} key layout, one server)`, async () => {
    const server = await startRedis();
    const admin = new Redis(server.url);
    return {
      store: () => redisStore({ url: server.url, layout }),
      reset: async () => {
        await admin.flushall();
      },
      close: async () => {
        await admin.quit();
        await server.stop();
      },
    };
  });
}

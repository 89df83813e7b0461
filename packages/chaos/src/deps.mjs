// Loads the BUILT workspace packages. After `pnpm install` they resolve by name; before it (the
// package is new), fall back to the sibling packages' dist folders.
import { createRequire } from "node:module";

const here = new URL(".", import.meta.url);

async function load(name, folder) {
  try {
    return await import(name);
  } catch {
    return import(new URL(`../../${folder}/dist/index.js`, here).href);
  }
}

/** `@verk/core` */
export const core = await load("@verk/core", "core");
/** `@verk/redis-store` */
export const redisStoreModule = await load("@verk/redis-store", "redis-store");
/** `@verk/test-redis` */
export const testRedis = await load("@verk/test-redis", "test-redis");
/** ioredis, as `@verk/redis-store` resolves it. */
export const { Redis, Cluster } = createRequire(new URL("../../redis-store/package.json", here))("ioredis");

import { VerkError } from "@verk/core";
import type { RedisClient } from "./client.js";

/**
 * Wait until `redis` is ready, connecting it when it is idle. Rejects with `CONNECTION_FAILED`
 * naming `address` (password masked) when it is not ready within `timeoutMs`.
 */
export function waitReady(redis: RedisClient, timeoutMs: number, address: string): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let lastError: Error | undefined;
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      redis.off("error", onError);
      redis.off("end", onEnd);
    };
    const fail = (reason: string) => {
      cleanup();
      const detail = lastError ? `: ${lastError.message}` : "";
      reject(
        new VerkError(
          "CONNECTION_FAILED",
          `[redis-store] could not connect to ${address} ${reason}${detail}`,
          {
            cause: lastError,
          },
        ),
      );
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      lastError = error;
    };
    const onEnd = () => fail("(the connection was closed)");
    const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
    redis.on("ready", onReady);
    redis.on("error", onError);
    redis.once("end", onEnd);
    if (redis.status === "wait" || redis.status === "end") {
      // Failures are reported through "error"/"end" above; ioredis keeps retrying meanwhile.
      redis.connect().catch((error: Error) => {
        lastError = error;
      });
    }
  });
}

/** Close `redis` gracefully (QUIT), forcing a disconnect after `graceMs` (default 1,000 ms). */
export async function closeConnection(redis: RedisClient, graceMs = 1_000): Promise<void> {
  if (redis.status === "end") return;
  if (redis.status !== "ready") {
    redis.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([redis.quit().then(noop, noop), grace]);
  clearTimeout(timer);
  if ((redis.status as string) !== "end") redis.disconnect();
}

function noop(): void {}

import { startRedis, type TestRedis } from "@verk/test-redis";
import { Redis } from "ioredis";
import { enableLatencyMonitor } from "./latency-monitor.js";

/** The bench's private redis-server and an admin connection to it. */
export interface BenchRedis {
  readonly url: string;
  readonly server: TestRedis;
  readonly admin: Redis;
  /** `redis-server --version` line. */
  readonly version: string;
  stop(): Promise<void>;
}

/** Start a private redis-server (persistence off, latency monitor at 10 ms) for the whole run. */
export async function startBenchRedis(): Promise<BenchRedis> {
  const server = await startRedis({ args: ["--save", "", "--appendonly", "no"] });
  const admin = new Redis(server.url);
  await enableLatencyMonitor(admin);
  const info = await admin.info("server");
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
  return {
    url: server.url,
    server,
    admin,
    version,
    async stop() {
      await admin.quit().catch(() => {});
      await server.stop();
    },
  };
}

/** `used_memory` in bytes. */
export async function usedMemory(admin: Redis): Promise<number> {
  const info = await admin.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

/** Redis CPU seconds so far (user + sys, main thread and children). */
export async function redisCpuSeconds(admin: Redis): Promise<number> {
  const info = await admin.info("cpu");
  const read = (field: string) => Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return read("used_cpu_user") + read("used_cpu_sys");
}

/** Calls per command from `INFO commandstats`, without the bench's own `info` and `config`. */
export async function commandCalls(admin: Redis): Promise<Record<string, number>> {
  const info = await admin.info("commandstats");
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) {
    const name = match[1]!;
    if (name === "info" || name.startsWith("config")) continue;
    calls[name] = Number(match[2]);
  }
  return calls;
}

/** Forget the data and the command statistics. */
export async function resetRedis(admin: Redis): Promise<void> {
  await admin.flushall();
  await admin.config("RESETSTAT");
}

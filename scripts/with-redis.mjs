#!/usr/bin/env node
// Run a command with REDIS_URL pointing at a Redis: the caller's REDIS_URL when set, otherwise a
// private redis-server on a free loopback port, stopped again when the command ends.
// Usage: node scripts/with-redis.mjs <command> [args...]
import { spawn } from "node:child_process";
import { startRedis } from "../packages/test-redis/dist/index.js";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node scripts/with-redis.mjs <command> [args...]");
  process.exit(2);
}

let redis;
if (!process.env.REDIS_URL) {
  redis = await startRedis();
  console.error(`started a private redis-server at ${redis.url} (stopped when done)`);
}
const env = { ...process.env, REDIS_URL: process.env.REDIS_URL ?? redis.url };
const child = spawn(command, args, { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
const code = await new Promise((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
await redis?.stop();
process.exit(code);

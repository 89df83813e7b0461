import { spawnSync } from "node:child_process";

/** The redis-server binary: `REDIS_SERVER_BIN` or `redis-server` on the PATH. */
export function redisServerBinary(): string {
  return process.env.REDIS_SERVER_BIN || "redis-server";
}

/** The redis-cli binary (used to create clusters): `REDIS_CLI_BIN` or `redis-cli` on the PATH. */
export function redisCliBinary(): string {
  return process.env.REDIS_CLI_BIN || "redis-cli";
}

/** True when a redis-server binary can be run. */
export function hasRedisServer(): boolean {
  return runs(redisServerBinary());
}

/** True when a redis-cli binary can be run. */
export function hasRedisCli(): boolean {
  return runs(redisCliBinary());
}

function runs(binary: string): boolean {
  return spawnSync(binary, ["--version"], { stdio: "ignore" }).status === 0;
}

/** Throw a message saying how to install `what` (Debian package `pkg`) when `present` is false. */
export function requireBinary(present: boolean, binary: string, pkg: string): void {
  if (present) return;
  throw new Error(
    `${binary} not found. Install it (Debian/Ubuntu: apt-get install ${pkg}) ` +
      "or run the tests through `bash scripts/quickstart.sh test`, which installs it.",
  );
}

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { redisStore } from "@verk/redis-store";
import type { RedisFixture } from "@verk/test-redis/vitest";
import { afterEach } from "vitest";
import type { Logger } from "../src/logger.js";
import type { VerkOptions } from "../src/options.js";
import { createVerk, type Verk } from "../src/verk.js";

/** The worker module of the isolation tests. */
export const WORKERS = fileURLToPath(new URL("./fixtures/isolation/workers.mjs", import.meta.url));

/** A logger that keeps every line. */
export function recordingLogger(): Logger & {
  lines: { level: string; message: string; fields: Record<string, unknown> }[];
} {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (first: Record<string, unknown> | string, second?: string) => {
    if (typeof first === "string") lines.push({ level, message: first, fields: {} });
    else lines.push({ level, message: second ?? "", fields: first });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } as never;
}

const nodes: Verk[] = [];
const dirs: string[] = [];

/** Stop every node and remove every temp dir a test made (register once per file). */
export function cleanUpAfterEach(): void {
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((v) => v.stop({ timeout: 0 }).catch(() => {})));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
}

/** A temp file path (its dir is removed after the test). */
export function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "verk-iso-"));
  dirs.push(dir);
  return join(dir, name);
}

/** Lines of a file, or [] when it does not exist yet. */
export function lines(path: string): string[] {
  try {
    return readFileSync(path, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/** A node on the private Redis at `url`, stopped after the test. */
export function node(url: string, options: Partial<VerkOptions>): Verk {
  const verk = createVerk({
    store: redisStore({ url }),
    workerModule: WORKERS,
    fetchBlockMs: 100,
    pollIntervalMs: 0,
    logger: recordingLogger(),
    ...options,
  });
  nodes.push(verk);
  return verk;
}

/** Payloads of the retry set (oldest retry time first). */
export async function retrySet(redis: RedisFixture["redis"]): Promise<Record<string, unknown>[]> {
  return (await redis.zrange("retry", 0, -1)).map((raw: string) => JSON.parse(raw));
}

import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  assertKnownKeys,
  isVerkError,
  isWorkerDefinition,
  type LogLevel,
  type QueueOptions,
  VERK_OPTION_KEYS,
  type VerkOptions,
  type VerkPlugin,
  type WorkerDefinition,
} from "@verk/core";
import type { RedisStoreOptions } from "@verk/redis-store";
import { CliError, UsageError } from "./util/errors.js";

/**
 * The `verk work` configuration (`verk.config.js`, `.mjs`, `.cjs` or `.json`; `.ts` only on a
 * Node.js that strips types, >= 22.6 with `--experimental-strip-types` or >= 23.6).
 * Environment variables override it: `REDIS_URL`, `VERK_NAMESPACE`, `VERK_QUEUES=default:25,priority:10`.
 */
export interface VerkConfig {
  /** Redis URL. (Default: `redis://127.0.0.1:6379`) */
  redisUrl?: string;
  /** Key namespace. (Default: none, Sidekiq's own keys) */
  namespace?: string;
  /**
   * Queues to run: name → concurrency or `{ concurrency, isolation, poolSize, resourceLimits, ... }`
   * (see `QueueOptions` of `@verk/core`), or `"default:25,priority:10"`. Required by `verk work`
   * unless `VERK_QUEUES` or `--queues` gives them. (Default: none)
   */
  queues?: Record<string, number | QueueOptions> | string;
  /**
   * Workers: module paths relative to the config file (every exported `defineWorker()` result is
   * registered) or, in a JS config, the definitions themselves. Required.
   */
  workers?: (string | WorkerDefinition<never>)[];
  /**
   * Module isolated queues (`isolation: "thread"` or `"process"`) load their handlers from, a path
   * relative to the config file; usually one of `workers` too. (Default: none)
   */
  workerModule?: string;
  /** Add-ons, e.g. `[scheduler()]` (JS configs only). (Default: none) */
  plugins?: VerkPlugin[];
  /** Record stats with `@verk/stats` (processed/failed counters for `verk queues`/`verk stats`). (Default: true) */
  stats?: boolean;
  /** Least severe log level printed. (Default: `"info"`) */
  logLevel?: LogLevel;
  /** Level of the one line logged per finished job; `"silent"` turns it off. Failures log at `"warn"`. (Default: `"info"`) */
  jobLogLevel?: LogLevel;
  /** Milliseconds a stop waits for running jobs before putting them back. (Default: 25,000) */
  shutdownTimeoutMs?: number;
  /** Further `redisStore` options (e.g. `sidekiqProcess: { intervalMs: 1000 }`, `heartbeatMs`). (Default: none) */
  redis?: Omit<RedisStoreOptions, "url" | "namespace" | "client">;
  /** Further `createVerk` options (e.g. `maxRetries`, `pollIntervalMs`). (Default: none) */
  verk?: Partial<Omit<VerkOptions, "store" | "queues" | "workers" | "plugins" | "logger" | "workerModule">>;
}

/** Every top-level key of a {@link VerkConfig} (`workerModule`: isolated queues). */
export const CONFIG_KEYS = [
  "redisUrl",
  "namespace",
  "queues",
  "workers",
  "plugins",
  "stats",
  "logLevel",
  "jobLogLevel",
  "shutdownTimeoutMs",
  "redis",
  "verk",
  "workerModule",
] as const satisfies readonly (keyof VerkConfig | "workerModule")[];

/** Keys of the config's `verk` object: `createVerk` options the CLI does not set itself. */
const CONFIG_VERK_KEYS = VERK_OPTION_KEYS.filter(
  (key) => !["store", "queues", "workers", "plugins", "logger"].includes(key),
);

/**
 * Reject unknown keys in a loaded config (top level and its `verk` object), naming the key, the
 * closest known one and the file. A typo such as `queus` must not fall back to defaults silently.
 * @throws CliError naming `path`.
 */
export function checkConfig(config: Record<string, unknown>, path: string): void {
  try {
    assertKnownKeys(config, CONFIG_KEYS, "config");
    if (config.verk !== undefined) assertKnownKeys(config.verk, CONFIG_VERK_KEYS, "config.verk");
  } catch (error) {
    if (isVerkError(error)) throw new CliError(`${path}: ${error.message}`);
    throw error;
  }
}

/** Identity helper that types a JS config: `export default defineConfig({ ... })`. */
export function defineConfig(config: VerkConfig): VerkConfig {
  return config;
}

/** Config file names looked for in the working directory, in order. */
export const CONFIG_FILES = [
  "verk.config.js",
  "verk.config.mjs",
  "verk.config.cjs",
  "verk.config.json",
  "verk.config.ts",
];

/** A loaded config and the directory its relative paths start from. */
export interface LoadedConfig {
  readonly config: VerkConfig;
  readonly path: string | undefined;
  readonly dir: string;
}

/** Find and load the config: `explicit` (from `--config`) or the first of {@link CONFIG_FILES} in `cwd`. */
export async function loadConfig(cwd: string, explicit: string | undefined): Promise<LoadedConfig> {
  const path = explicit ? resolve(cwd, explicit) : CONFIG_FILES.map((f) => resolve(cwd, f)).find(existsSync);
  if (explicit && !existsSync(path!)) throw new UsageError(`config file not found: ${path}`);
  if (!path) return { config: {}, path: undefined, dir: cwd };
  const ext = extname(path);
  let config: unknown;
  try {
    if (ext === ".json") config = JSON.parse(readFileSync(path, "utf8"));
    else {
      const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
      config = mod.default ?? mod;
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (ext === ".ts" && code === "ERR_UNKNOWN_FILE_EXTENSION") {
      throw new CliError(
        `cannot load ${path}: Node ${process.versions.node} does not run TypeScript; compile it to verk.config.js or use verk.config.mjs/.json`,
      );
    }
    throw new CliError(
      `cannot load ${path}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
    );
  }
  if (typeof config === "function") config = await (config as () => unknown)();
  if (!config || typeof config !== "object")
    throw new CliError(`${path} must export an object (export default { ... })`);
  checkConfig(config as Record<string, unknown>, path);
  return { config: config as VerkConfig, path, dir: dirname(path) };
}

/** Parse `default:25,priority:10` (a bare name gets `fallback`). @throws UsageError naming `source`. */
export function parseQueues(text: string, source: string, fallback = 10): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, n] = part.split(":");
    const concurrency = n === undefined ? fallback : Number(n);
    if (!name || !Number.isInteger(concurrency) || concurrency < 1)
      throw new UsageError(
        `${source}: "${part}" is not <queue>[:<concurrency>] (example: default:25,priority:10)`,
      );
    out[name] = concurrency;
  }
  if (Object.keys(out).length === 0) throw new UsageError(`${source}: no queue given`);
  return out;
}

/** Import worker modules (paths relative to `dir`) and collect every worker definition they export. */
export async function loadWorkers(
  entries: readonly (string | WorkerDefinition<never>)[],
  dir: string,
): Promise<WorkerDefinition<never>[]> {
  const out: WorkerDefinition<never>[] = [];
  for (const entry of entries) {
    if (isWorkerDefinition(entry)) {
      out.push(entry);
      continue;
    }
    if (typeof entry !== "string")
      throw new CliError(`workers: each entry must be a module path or a defineWorker() result`);
    const path = resolve(dir, entry);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (error) {
      throw new CliError(
        `cannot load worker module ${path}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      );
    }
    const found = Object.values(mod)
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter(isWorkerDefinition);
    if (found.length === 0) throw new CliError(`worker module ${path} exports no defineWorker() result`);
    for (const w of found) if (!out.includes(w)) out.push(w);
  }
  return out;
}

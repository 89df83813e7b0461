import { assertKnownKeys, VerkError } from "@verk/core";

/** Which hash holds a Sidekiq process's running jobs: `<id>:work` (6.4.2+), `<id>:workers` (6.4.1) or both. */
export type SidekiqWorkersKey = "work" | "workers" | "both";

/** Settings of the Sidekiq process heartbeat (the `sidekiqProcess` option of `redisStore`). */
export interface SidekiqProcessOptions {
  /** Milliseconds between heartbeats; Sidekiq uses 5,000. Keep it well under `ttlSeconds`. (Default: 5,000) */
  intervalMs?: number;
  /** TTL of the process hash and the work hash, in seconds; Sidekiq uses 60. (Default: 60) */
  ttlSeconds?: number;
  /** The `tag` shown on Sidekiq's Busy page. (Default: `""`) */
  tag?: string;
  /** Extra labels shown on the Busy page, after `"verk"`. (Default: none) */
  labels?: readonly string[];
}

/** {@link SidekiqProcessOptions} with defaults applied. */
export interface ResolvedSidekiqProcess {
  readonly intervalMs: number;
  readonly ttlSeconds: number;
  readonly tag: string;
  readonly labels: readonly string[];
  /** The work hash names to write, e.g. `["work"]`. */
  readonly workKeys: readonly ("work" | "workers")[];
}

/** Every key of {@link SidekiqProcessOptions}. */
const SIDEKIQ_PROCESS_OPTIONS = [
  "intervalMs",
  "ttlSeconds",
  "tag",
  "labels",
] as const satisfies readonly (keyof SidekiqProcessOptions)[];

function invalid(field: string, message: string): VerkError {
  return new VerkError("INVALID_OPTION", `[redis-store] invalid option "${field}": ${message}`, { field });
}

/**
 * Validate the `sidekiqProcess` and `sidekiqWorkersKey` options of `redisStore`.
 * @returns `undefined` when the heartbeat is off (`sidekiqProcess: false`).
 * @throws VerkError `INVALID_OPTION` naming the field.
 */
export function resolveSidekiqProcess(
  option: boolean | SidekiqProcessOptions | undefined,
  workersKey: SidekiqWorkersKey | undefined,
): ResolvedSidekiqProcess | undefined {
  if (option === false) return undefined;
  if (option !== undefined && option !== true && (option === null || typeof option !== "object")) {
    throw invalid("sidekiqProcess", "must be a boolean or an options object");
  }
  const o: SidekiqProcessOptions = typeof option === "object" ? option : {};
  assertKnownKeys(o, SIDEKIQ_PROCESS_OPTIONS, "redisStore.sidekiqProcess");
  const intervalMs = o.intervalMs ?? 5_000;
  if (!Number.isFinite(intervalMs) || intervalMs < 10)
    throw invalid("sidekiqProcess.intervalMs", "must be >= 10");
  const ttlSeconds = o.ttlSeconds ?? 60;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw invalid("sidekiqProcess.ttlSeconds", "must be a positive integer");
  }
  if (o.tag !== undefined && typeof o.tag !== "string")
    throw invalid("sidekiqProcess.tag", "must be a string");
  if (o.labels !== undefined && (!Array.isArray(o.labels) || o.labels.some((l) => typeof l !== "string"))) {
    throw invalid("sidekiqProcess.labels", "must be an array of strings");
  }
  const key = workersKey ?? "work";
  if (key !== "work" && key !== "workers" && key !== "both") {
    throw invalid("sidekiqWorkersKey", `must be "work", "workers" or "both", got ${JSON.stringify(key)}`);
  }
  return {
    intervalMs,
    ttlSeconds,
    tag: o.tag ?? "",
    labels: ["verk", ...(o.labels ?? [])],
    workKeys: key === "both" ? ["work", "workers"] : [key],
  };
}

import { createVerk, type Logger, type Verk, type VerkOptions } from "@verk/core";
import { type RedisStoreOptions, redisStore } from "@verk/redis-store";
import { afterEach } from "vitest";

/** One recorded log call. */
export interface LogLine {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

/** A logger that records every call (and serialises its fields, as a real logger would). */
export function recordingLogger(): Logger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (first: Record<string, unknown> | string, second?: string): void => {
      const [fields, message] = typeof first === "string" ? [undefined, first] : [first, second ?? ""];
      if (fields !== undefined) JSON.stringify(fields, (_k, v) => (v instanceof Error ? v.message : v));
      lines.push({ level, message, fields });
    };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

const started: Verk[] = [];
afterEach(async () => {
  for (const verk of started.splice(0).reverse()) await verk.stop({ timeout: 1_000 }).catch(() => {});
});

/**
 * A Verk node on `url` with fast loops and no Sidekiq process entry, stopped after each test.
 * `options` override the defaults; `storeOptions` are added to the store's (e.g. `layout`).
 */
export function node(
  url: string,
  options: Omit<VerkOptions, "store"> = {},
  storeOptions: Omit<RedisStoreOptions, "url"> = {},
): Verk {
  const verk = createVerk({
    store: redisStore({ url, sidekiqProcess: false, ...storeOptions }),
    fetchBlockMs: 100,
    pollIntervalMs: 0,
    logger: recordingLogger(),
    ...options,
  });
  started.push(verk);
  return verk;
}

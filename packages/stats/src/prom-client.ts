import { createRequire } from "node:module";
import { VerkError } from "@verk/core";
import type * as PromClient from "prom-client";

/** The `prom-client` module. */
export type PromClientModule = typeof PromClient;

/**
 * A prom-client `Registry` (e.g. its default `register`), typed structurally so this package's
 * types do not need prom-client installed.
 */
export interface MetricsRegistry {
  registerMetric(metric: never): void;
  removeSingleMetric(name: string): void;
  getSingleMetric(name: string): unknown;
  metrics(): Promise<string>;
}

let cached: PromClientModule | null | undefined;

/**
 * Load the optional peer dependency `prom-client` (synchronously, once); `undefined` when it is
 * not installed. Loaded only when metrics are used.
 */
export function loadPromClient(): PromClientModule | undefined {
  if (cached === undefined) {
    try {
      cached = createRequire(import.meta.url)("prom-client") as PromClientModule;
    } catch (error) {
      if ((error as { code?: string }).code !== "MODULE_NOT_FOUND") throw error;
      cached = null;
    }
  }
  return cached ?? undefined;
}

/** The error for a metrics feature used without prom-client installed. */
export function promClientMissing(what: string, field?: string): VerkError {
  return new VerkError(
    field ? "INVALID_OPTION" : "INVALID_STATE",
    `@verk/stats: ${what} needs the optional peer dependency prom-client (npm install prom-client)`,
    field ? { field } : {},
  );
}

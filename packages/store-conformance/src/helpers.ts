import type { VerkStore } from "@verk/core";

/** Poll `check` every 10 ms until it returns a truthy value; throws after `timeoutMs` (default 5,000). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A backend under test: fresh store handles on one shared backend. */
export interface ConformanceHarness {
  /** A new store handle (its own connections) on the shared backend. */
  store(): VerkStore;
  /** Empty the backend between tests. */
  reset(): Promise<void>;
  /** Release everything after the suite. */
  close(): Promise<void>;
}

/** A raw Sidekiq-shaped payload for store-level tests. */
export function rawJob(queue: string, n: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    class: "Probe",
    args: [n],
    jid: n.toString(16).padStart(24, "0"),
    queue,
    retry: true,
    created_at: 1700000000.5,
    enqueued_at: 1700000000.5,
    ...extra,
  });
}

/** Fetched payloads (exact bytes) as strings, for comparing with {@link rawJob}. */
export function texts(jobs: readonly Buffer[]): string[] {
  return jobs.map((job) => job.toString("utf8"));
}

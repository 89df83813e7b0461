/**
 * Seconds since `enqueued_at` of a raw payload (Sidekiq's queue latency), 0 when the payload
 * is absent, unparseable or has no `enqueued_at`. Integer values above 1e11 are read as epoch
 * milliseconds (Sidekiq 8), everything else as epoch seconds.
 */
export function latencySeconds(raw: string | null | undefined, nowMs: number = Date.now()): number {
  if (!raw) return 0;
  let enqueuedAt: unknown;
  try {
    enqueuedAt = (JSON.parse(raw) as { enqueued_at?: unknown }).enqueued_at;
  } catch {
    return 0;
  }
  if (typeof enqueuedAt !== "number" || !Number.isFinite(enqueuedAt)) return 0;
  const ms = enqueuedAt > 1e11 ? enqueuedAt : enqueuedAt * 1000;
  return Math.max(0, (nowMs - ms) / 1000);
}

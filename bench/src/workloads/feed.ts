import { randomBytes } from "node:crypto";
import type { JobData, Producer, ScheduledJob } from "../adapters/types.js";

/** Sizes of the payload workloads: args of 2 KB, 20 KB and 200 KB (KiB: 2,048, 20,480, 204,800 bytes). */
export const PAYLOAD_SIZES = { "2k": 2_048, "20k": 20_480, "200k": 204_800 } as const;

/** A payload size of {@link PAYLOAD_SIZES}. */
export type PayloadSize = keyof typeof PAYLOAD_SIZES;

/**
 * Jobs of each size in the payload and due-at-once workloads at the default `--jobs` of 50,000
 * (issue #16's counts); they scale with `--jobs`, at least 10.
 */
export const PAYLOAD_JOBS: Record<PayloadSize, number> = { "2k": 20_000, "20k": 3_000, "200k": 300 };

/** Jobs of `size` for a run with `jobs` (the `--jobs` value). */
export function payloadJobs(size: PayloadSize, jobs: number): number {
  return Math.max(10, Math.round((PAYLOAD_JOBS[size] * jobs) / 50_000));
}

/** Bytes of job data per bulk call, at most (and at most 1,000 jobs per call). */
const BULK_BYTES = 2 * 1024 * 1024;
/** Calls in flight when a system has no bulk API. */
const IN_FLIGHT = 50;

const pads = new Map<number, string>();

/** A string of `bytes` random letters and digits (the same one for each size, made once). */
export function padding(bytes: number): string {
  let pad = pads.get(bytes);
  if (pad === undefined) {
    pad = randomBytes(Math.ceil((bytes * 3) / 4) + 3)
      .toString("base64")
      .replace(/[+/=]/g, "x")
      .slice(0, bytes);
    pads.set(bytes, pad);
  }
  return pad;
}

/** Job data `{ i, pad }` for `count` jobs with `bytes` of padding (no padding for 0), plus `extra`. */
export function payloads(count: number, bytes: number, extra: Partial<JobData> = {}): JobData[] {
  const pad = bytes > 0 ? padding(bytes) : undefined;
  return Array.from({ length: count }, (_, i) =>
    pad === undefined ? { i, ...extra } : { i, pad, ...extra },
  );
}

/** Jobs per bulk call for jobs of about `bytes` each: 1,000, or fewer so a call carries <= 2 MiB. */
export function bulkChunk(bytes: number): number {
  return Math.max(1, Math.min(1_000, Math.floor(BULK_BYTES / Math.max(1, bytes))));
}

async function inFlight<T>(items: readonly T[], send: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < items.length) await send(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, loop));
}

/** Enqueue every job: bulk calls of {@link bulkChunk} jobs one at a time, else one by one with 50 in flight. */
export async function enqueueAll(producer: Producer, jobs: readonly JobData[], bytes: number): Promise<void> {
  if (!producer.addBulk) return inFlight(jobs, (data) => producer.add(data));
  const chunk = bulkChunk(bytes);
  for (let start = 0; start < jobs.length; start += chunk)
    await producer.addBulk(jobs.slice(start, start + chunk));
}

/** Schedule every job: bulk calls of {@link bulkChunk} jobs one at a time, else one by one with 50 in flight. */
export async function scheduleAll(
  producer: Producer,
  jobs: readonly ScheduledJob[],
  bytes: number,
): Promise<void> {
  if (!producer.scheduleBulk) return inFlight(jobs, (job) => producer.schedule!(job));
  const chunk = bulkChunk(bytes);
  for (let start = 0; start < jobs.length; start += chunk) {
    await producer.scheduleBulk(jobs.slice(start, start + chunk));
  }
}

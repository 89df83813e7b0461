import { readFileSync } from "node:fs";

/** CPU time counters of the whole machine from `/proc/stat` (Linux), in clock ticks. */
function cpuTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Busy CPU of the whole machine over `ms` milliseconds, in cores (0..cores). Call it while the
 * bench itself is idle to measure what other processes use. `undefined` off Linux.
 */
export async function machineBusyCores(ms: number, cores: number): Promise<number | undefined> {
  const a = cpuTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = cpuTicks();
  if (!a || !b || b.total === a.total) return undefined;
  return ((b.busy - a.busy) / (b.total - a.total)) * cores;
}

/**
 * Wait until other processes use at most `maxCores` (sampled over 500 ms while the bench is
 * idle), for at most `maxWaitMs`. Resolves the last measured background load, in cores.
 */
export async function waitForQuiet(
  cores: number,
  maxCores: number,
  maxWaitMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const busy = await machineBusyCores(500, cores);
    if (busy === undefined || busy <= maxCores || Date.now() >= deadline) return busy;
  }
}

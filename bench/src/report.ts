import { cpus, loadavg, totalmem } from "node:os";
import type { SystemName } from "./adapters/types.js";
import type { RoundMetrics } from "./workloads.js";

/** A metric shown in the table. */
export interface MetricSpec {
  readonly key: Exclude<keyof RoundMetrics, "commandsByName">;
  readonly label: string;
  /** True when a larger value is better (jobs/s); false for costs (ms, bytes, commands). */
  readonly higherIsBetter: boolean;
  readonly digits: number;
}

/** The table rows, in order. */
export const METRICS: readonly MetricSpec[] = [
  {
    key: "enqueueOneJobsPerSec",
    label: "enqueue 1-by-1 (50 in flight), jobs/s",
    higherIsBetter: true,
    digits: 0,
  },
  { key: "bulkJobsPerSec", label: "enqueue bulk (1,000/call), jobs/s", higherIsBetter: true, digits: 0 },
  { key: "processJobsPerSec", label: "process, 1 worker x 50, jobs/s", higherIsBetter: true, digits: 0 },
  { key: "process2JobsPerSec", label: "process, 2 workers x 50, jobs/s", higherIsBetter: true, digits: 0 },
  { key: "latencyP50Ms", label: "enqueue-to-start p50, ms", higherIsBetter: false, digits: 2 },
  { key: "latencyP99Ms", label: "enqueue-to-start p99, ms", higherIsBetter: false, digits: 2 },
  { key: "workerPeakRssMiB", label: "worker peak RSS, MiB", higherIsBetter: false, digits: 1 },
  { key: "redisBytesPerJob", label: "Redis bytes / waiting job", higherIsBetter: false, digits: 0 },
  { key: "redisCommandsPerJob", label: "Redis commands / processed job", higherIsBetter: false, digits: 2 },
  { key: "redisCpuMicrosPerJob", label: "Redis CPU µs / processed job", higherIsBetter: false, digits: 1 },
  { key: "workerCpuMicrosPerJob", label: "worker CPU µs / processed job", higherIsBetter: false, digits: 1 },
  {
    key: "hogIsolatedP50Ms",
    label: "CPU hog isolated: other queue p50, ms",
    higherIsBetter: false,
    digits: 2,
  },
  {
    key: "hogIsolatedP99Ms",
    label: "CPU hog isolated: other queue p99, ms",
    higherIsBetter: false,
    digits: 2,
  },
  {
    key: "hogInProcessP50Ms",
    label: "CPU hog in-process: other queue p50, ms",
    higherIsBetter: false,
    digits: 0,
  },
  {
    key: "hogInProcessP99Ms",
    label: "CPU hog in-process: other queue p99, ms",
    higherIsBetter: false,
    digits: 0,
  },
  { key: "multicore1JobsPerSec", label: "5 ms CPU jobs, 1 thread, jobs/s", higherIsBetter: true, digits: 0 },
  { key: "multicore2JobsPerSec", label: "5 ms CPU jobs, 2 threads, jobs/s", higherIsBetter: true, digits: 0 },
  {
    key: "overheadIsolatedJobsPerSec",
    label: "no-op x 50, 1 worker thread, jobs/s",
    higherIsBetter: true,
    digits: 0,
  },
  {
    key: "overheadInProcessJobsPerSec",
    label: "no-op x 50, in-process, jobs/s",
    higherIsBetter: true,
    digits: 0,
  },
];

/** The machine a run happened on. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  redis: string;
  platform: string;
  loadavgAtStart: number[];
  loadavgAtEnd?: number[];
}

/** Describe this machine. */
export function machineInfo(redisVersion: string): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    redis: redisVersion,
    platform: `${process.platform} ${process.arch}`,
    loadavgAtStart: loadavg(),
  };
}

/** Medians per system and metric. */
export type Medians = Partial<Record<SystemName, Partial<Record<MetricSpec["key"], number>>>>;

/** How many times better Verk is than `system` on `metric` (> 1 = Verk better). */
export function verkAdvantage(medians: Medians, system: SystemName, spec: MetricSpec): number | undefined {
  const verk = medians.verk?.[spec.key];
  const other = medians[system]?.[spec.key];
  if (verk === undefined || other === undefined || !Number.isFinite(verk) || !Number.isFinite(other))
    return undefined;
  if (verk === 0 || other === 0) return undefined;
  return spec.higherIsBetter ? verk / other : other / verk;
}

function format(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * A Markdown table: one row per metric, per system the median and (for peers) Verk's
 * advantage "Verk ×" (> 1 means Verk is better: faster, or smaller cost).
 */
export function renderTable(
  systems: readonly SystemName[],
  labels: Record<string, string>,
  medians: Medians,
): string {
  const header = [
    "metric (median)",
    ...systems.map((s) => (s === "verk" ? labels[s]! : `${labels[s]} (Verk ×)`)),
  ];
  const rows = METRICS.map((spec) => [
    spec.label,
    ...systems.map((system) => {
      const value = format(medians[system]?.[spec.key], spec.digits);
      if (system === "verk" || value === "n/a") return value;
      const ratio = verkAdvantage(medians, system, spec);
      return ratio === undefined ? value : `${value} (${ratio.toFixed(2)}×)`;
    }),
  ]);
  const scale = systems.map((system) => {
    const one = medians[system]?.processJobsPerSec;
    const two = medians[system]?.process2JobsPerSec;
    return one && two ? `${(two / one).toFixed(2)}×` : "n/a";
  });
  rows.push(["2 workers / 1 worker", ...scale]);
  const ratio = (a: MetricSpec["key"], b: MetricSpec["key"]) =>
    systems.map((system) => {
      const x = medians[system]?.[a];
      const y = medians[system]?.[b];
      return x && y ? `${(x / y).toFixed(2)}×` : "n/a";
    });
  if (systems.includes("verk") && medians.verk?.multicore1JobsPerSec !== undefined) {
    rows.push([
      "2 threads / 1 thread (5 ms CPU jobs)",
      ...ratio("multicore2JobsPerSec", "multicore1JobsPerSec"),
    ]);
  }
  if (systems.includes("verk") && medians.verk?.overheadInProcessJobsPerSec !== undefined) {
    rows.push([
      "thread-isolated / in-process (no-op)",
      ...ratio("overheadIsolatedJobsPerSec", "overheadInProcessJobsPerSec"),
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

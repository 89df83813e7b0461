import { cpus, loadavg, totalmem } from "node:os";
import type { SystemName } from "./adapters/types.js";
import { METRICS, type MetricSpec } from "./metrics.js";
import type { NumericMetric } from "./workloads.js";

export { METRICS, type MetricSpec } from "./metrics.js";

export type Timeouts = Partial<Record<SystemName, NumericMetric[]>>;

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
 * Markdown tables (issue #7's no-op workloads, then issue #16's): one row per metric that has a
 * value (or a timeout) for some system; per system the median and (for peers) Verk's advantage
 * "Verk ×" (> 1 means Verk is better: faster, or smaller cost).
 */
export function renderTable(
  systems: readonly SystemName[],
  labels: Record<string, string>,
  medians: Medians,
  timeouts: Timeouts = {},
): string {
  const header = [
    "metric (median)",
    ...systems.map((s) => (s === "verk" ? labels[s]! : `${labels[s]} (Verk ×)`)),
  ];
  const cell = (system: SystemName, spec: MetricSpec) => {
    const value = format(medians[system]?.[spec.key], spec.digits);
    if (value === "n/a") return timeouts[system]?.includes(spec.key) ? "timeout" : value;
    if (system === "verk") return value;
    const ratio = verkAdvantage(medians, system, spec);
    return ratio === undefined ? value : `${value} (${ratio.toFixed(2)}×)`;
  };
  const tables: string[] = [];
  const ratio = (a: MetricSpec["key"], b: MetricSpec["key"]) =>
    systems.map((system) => {
      const x = medians[system]?.[a];
      const y = medians[system]?.[b];
      return x && y ? `${(x / y).toFixed(2)}×` : "n/a";
    });
  for (const group of ["classic", "issue16", "isolation", "hardening", "issue13", "issue14"] as const) {
    const rows = METRICS.filter((spec) => (spec.group ?? "classic") === group)
      .map((spec) => [spec.label, ...systems.map((system) => cell(system, spec))])
      .filter((row) => row.slice(1).some((value) => value !== "n/a"));
    if (group === "classic") {
      const scale = systems.map((system) => {
        const one = medians[system]?.processJobsPerSec;
        const two = medians[system]?.process2JobsPerSec;
        return one && two ? `${(two / one).toFixed(2)}×` : "n/a";
      });
      if (scale.some((value) => value !== "n/a")) rows.push(["2 workers / 1 worker", ...scale]);
    }
    if (group === "isolation" && medians.verk?.multicore1JobsPerSec !== undefined)
      rows.push([
        "2 threads / 1 thread (5 ms CPU jobs)",
        ...ratio("multicore2JobsPerSec", "multicore1JobsPerSec"),
      ]);
    if (group === "isolation" && medians.verk?.overheadInProcessJobsPerSec !== undefined)
      rows.push([
        "thread-isolated / in-process (no-op)",
        ...ratio("overheadIsolatedJobsPerSec", "overheadInProcessJobsPerSec"),
      ]);
    if (group === "issue14") {
      const pairs = [
        ["unique / plain enqueue 1-by-1", "flowEnqueueUniqueJobsPerSec", "flowEnqueuePlainJobsPerSec"],
        ["unique / plain enqueue bulk", "flowBulkUniqueJobsPerSec", "flowBulkPlainJobsPerSec"],
        [
          "class concurrency limit / no limit",
          "flowProcessClassLimitJobsPerSec",
          "flowProcessPlainJobsPerSec",
        ],
        ["class rate limit / no limit", "flowProcessRateLimitJobsPerSec", "flowProcessPlainJobsPerSec"],
        ["per-key limit / no limit", "flowProcessKeyLimitJobsPerSec", "flowProcessPlainJobsPerSec"],
      ] as const;
      for (const [label, a, b] of pairs)
        if (medians.verk?.[a] !== undefined) rows.push([label, ...ratio(a, b)]);
    }
    if (group === "issue13") {
      const ratios: [string, MetricSpec["key"], MetricSpec["key"]][] = [
        ["cluster layout / one Redis, jobs/s", "clusterJobsPerSec", "clusterOneJobsPerSec"],
        [
          "busiest master / all masters, Redis CPU",
          "clusterBusiestMasterCpuMicrosPerJob",
          "clusterRedisCpuMicrosPerJob",
        ],
        [
          "waitReplicas: 1 / off, enqueue 1-by-1",
          "waitOnEnqueueOneJobsPerSec",
          "waitOffEnqueueOneJobsPerSec",
        ],
        ["waitReplicas: 1 / off, enqueue bulk", "waitOnBulkJobsPerSec", "waitOffBulkJobsPerSec"],
        ["waitReplicas: 1 / off, process", "waitOnProcessJobsPerSec", "waitOffProcessJobsPerSec"],
      ];
      for (const [label, a, b] of ratios)
        if (medians.verk?.[a] !== undefined) rows.push([label, ...ratio(a, b)]);
    }
    if (rows.length > 0) tables.push(markdown(header, rows));
  }
  return tables.join("\n\n");
}

function markdown(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));

/** Every workload of the table; speed is never judged here, only that each produced a number. */
const WORKLOADS = [
  "enqueueOneJobsPerSec",
  "bulkJobsPerSec",
  "processJobsPerSec",
  "process2JobsPerSec",
  "latencyP50Ms",
  "latencyP99Ms",
  "workerPeakRssMiB",
  "redisBytesPerJob",
  "redisCommandsPerJob",
  // issue #16's
  "processArgs2kJobsPerSec",
  "processArgs20kJobsPerSec",
  "processArgs200kJobsPerSec",
  "dueAtOnce2kMs",
  "dueAtOnce20kMs",
  "dueAtOnce200kMs",
  "retryStormJobsPerSec",
  "scheduleBulkJobsPerSec",
  "promoteLateP50Ms",
  "promoteLateP99Ms",
] as const;

/** The worst latency-monitor event of each issue #16 workload: a number, 0 when none reached 10 ms. */
const STALLS = [
  "processArgs2kStallMs",
  "processArgs20kStallMs",
  "processArgs200kStallMs",
  "dueAtOnce2kStallMs",
  "dueAtOnce20kStallMs",
  "dueAtOnce200kStallMs",
  "retryStormStallMs",
  "scheduleBulkStallMs",
  "promoteLateStallMs",
] as const;

/** The Verk-only workloads: isolation (issue 10), cluster layout and waitReplicas (issue 13). */
const ISOLATION = [
  "hogIsolatedP50Ms",
  "hogIsolatedP99Ms",
  "hogInProcessP50Ms",
  "hogInProcessP99Ms",
  "multicore1JobsPerSec",
  "multicore2JobsPerSec",
  "overheadIsolatedJobsPerSec",
  "overheadInProcessJobsPerSec",
  // issue #11 item 8 and issue #10's heartbeat figure
  "pushTokenOneJobsPerSec",
  "pushBatchedOneJobsPerSec",
  "pushPlainOneJobsPerSec",
  "pushTokenBulkJobsPerSec",
  "pushPlainBulkJobsPerSec",
  "heartbeatHogMinTtlMs",
  // issue #13's
  "clusterOneJobsPerSec",
  "clusterJobsPerSec",
  "clusterOneRedisCpuMicrosPerJob",
  "clusterRedisCpuMicrosPerJob",
  "clusterBusiestMasterCpuMicrosPerJob",
  "clusterIdlestMasterCpuMicrosPerJob",
  "waitOffEnqueueOneJobsPerSec",
  "waitOnEnqueueOneJobsPerSec",
  "waitOffBulkJobsPerSec",
  "waitOnBulkJobsPerSec",
  "waitOffProcessJobsPerSec",
  "waitOnProcessJobsPerSec",
] as const;

describe("pnpm bench --smoke", () => {
  it("runs every workload on verk and bee-queue and writes numbers to the JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "verk-bench-"));
    const out = join(dir, "smoke.json");
    try {
      const { stdout } = await run(
        process.execPath,
        [
          "--import",
          "tsx",
          "src/main.ts",
          "--smoke",
          "--rounds",
          "1",
          "--only",
          "verk,bee-queue",
          "--out",
          out,
        ],
        { cwd: root, timeout: 150_000 },
      );
      expect(stdout).toContain("process, 1 worker x 50, jobs/s");
      const result = JSON.parse(readFileSync(out, "utf8"));
      for (const system of ["verk", "bee-queue"]) {
        for (const key of WORKLOADS) {
          const value = result.medians[system][key];
          expect(typeof value, `${system}.${key}`).toBe("number");
          expect(value, `${system}.${key}`).toBeGreaterThan(0);
        }
        for (const key of STALLS) {
          const value = result.medians[system][key];
          expect(typeof value, `${system}.${key}`).toBe("number");
          expect(value, `${system}.${key}`).toBeGreaterThanOrEqual(0);
        }
      }
      for (const key of ISOLATION) {
        expect(result.medians.verk[key], `verk.${key}`).toBeGreaterThan(0);
        expect(result.medians["bee-queue"][key], `bee-queue.${key}`).toBeUndefined();
      }
      // Counts that are 0 when all is well: present, and a number.
      for (const key of ["heartbeatHogFalseDeaths", "heartbeatHogNoThreadFalseDeaths"])
        expect(typeof result.medians.verk[key], `verk.${key}`).toBe("number");
      expect(result.verkAdvantage["bee-queue"].processJobsPerSec).toBeGreaterThan(0);
      expect(result.machine.cores).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 160_000);
});

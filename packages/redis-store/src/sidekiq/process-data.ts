import { type NodeHandle, type RunningJob, toSeconds } from "@verk/core";
import { formatSeconds } from "../scripts.js";
import type { ResolvedSidekiqProcess } from "./options.js";

/** The `info` JSON of a Sidekiq process hash (Sidekiq 6.4–8 read these fields). */
export interface SidekiqProcessInfo {
  hostname: string;
  /** Epoch seconds (float). */
  started_at: number;
  pid: number;
  tag: string;
  /** Sum of the concurrency of the node's queues. */
  concurrency: number;
  queues: string[];
  labels: string[];
  identity: string;
}

/** The host part of a `host:pid:hex` node id, else `DYNO` or the given host name. */
function hostOf(nodeId: string, fallback: string): string {
  const parts = nodeId.split(":");
  return parts.length >= 3 ? parts.slice(0, -2).join(":") : fallback;
}

/** Build the `info` field of the process hash for `node`. */
export function processInfo(
  node: NodeHandle,
  options: ResolvedSidekiqProcess,
  host: string,
): SidekiqProcessInfo {
  const queues = node.queues();
  return {
    hostname: hostOf(node.nodeId, host),
    started_at: toSeconds(node.startedAt || Date.now()),
    pid: process.pid,
    tag: options.tag,
    concurrency: queues.reduce((sum, q) => sum + q.concurrency, 0),
    queues: [...new Set(queues.map((q) => q.name))],
    labels: [...options.labels],
    identity: node.nodeId,
  };
}

/**
 * The fields of `<id>:work` for the running jobs: field → JSON
 * `{"queue","payload":"<raw job JSON>","run_at":<integer epoch s>}`. The field plays the role of
 * Sidekiq's thread id: the jid when the payload has one (unique while running), else `job<n>`.
 */
export function workEntries(running: readonly RunningJob[]): string[] {
  const args: string[] = [];
  const seen = new Set<string>();
  running.forEach((job, index) => {
    // Unreadable payloads (no jid yet) still show, under their index.
    const jid = job.jid;
    const field = typeof jid === "string" && jid !== "" && !seen.has(jid) ? jid : `job${index}`;
    seen.add(field);
    args.push(
      field,
      JSON.stringify({
        queue: job.queue,
        payload: job.raw.toString("utf8"),
        run_at: Math.floor(job.startedAt / 1000),
      }),
    );
  });
  return args;
}

/** JSON `info` string plus the other fields of the process hash, as HSET arguments. */
export function processFields(
  node: NodeHandle,
  options: ResolvedSidekiqProcess,
  host: string,
  rttMicros: number,
  quiet: boolean,
): string[] {
  return [
    "info",
    JSON.stringify(processInfo(node, options, host)),
    "busy",
    String(node.runningJobs().length),
    "beat",
    formatSeconds(Date.now() / 1000),
    "rtt_us",
    String(Math.round(rttMicros)),
    "quiet",
    String(quiet),
    "rss",
    String(Math.round(process.memoryUsage.rss() / 1024)),
    // Sidekiq >= 8.1.2 also reads the concurrency at the top level of the hash.
    "concurrency",
    String(node.queues().reduce((sum, q) => sum + q.concurrency, 0)),
  ];
}

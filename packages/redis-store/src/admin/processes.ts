import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import type { AdminProcess, BusyJob } from "./types.js";

function busyJobs(process: string, hash: Record<string, string>): BusyJob[] {
  const jobs: BusyJob[] = [];
  for (const value of Object.values(hash)) {
    try {
      const work = JSON.parse(value) as { queue?: unknown; payload?: unknown; run_at?: unknown };
      const raw = typeof work.payload === "string" ? work.payload : JSON.stringify(work.payload ?? {});
      let jid = "";
      let className = "";
      try {
        const job = JSON.parse(raw) as Record<string, unknown>;
        jid = typeof job.jid === "string" ? job.jid : "";
        const cls = job.display_class ?? job.wrapped ?? job.class;
        className = typeof cls === "string" ? cls : "";
      } catch {
        // an unreadable payload still shows
      }
      jobs.push({
        process,
        queue: typeof work.queue === "string" ? work.queue : "",
        runAt: Number(work.run_at) || 0,
        raw,
        jid,
        className,
      });
    } catch {
      // skip an unreadable work entry
    }
  }
  return jobs.sort((a, b) => a.runAt - b.runAt);
}

/**
 * Live processes from Sidekiq's layout (`processes` set, `<id>` hash, `<id>:work` or
 * `<id>:workers`), sorted by identity. Members whose hash expired (stale) are skipped, not removed.
 */
export async function listProcesses(redis: Redis, keys: Keys): Promise<AdminProcess[]> {
  const ids = (await redis.smembers(keys.processes)).sort();
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids)
    pipeline
      .hgetall(keys.process(id))
      .hgetall(keys.processWork(id, "work"))
      .hgetall(keys.processWork(id, "workers"));
  const results = (await pipeline.exec()) ?? [];
  const out: AdminProcess[] = [];
  ids.forEach((identity, i) => {
    const hash = (results[3 * i]?.[1] ?? {}) as Record<string, string>;
    if (!hash.info && !hash.beat) return;
    let info: Record<string, unknown> = {};
    try {
      info = JSON.parse(hash.info ?? "{}") as Record<string, unknown>;
    } catch {
      info = {};
    }
    const work = {
      ...((results[3 * i + 2]?.[1] ?? {}) as Record<string, string>),
      ...((results[3 * i + 1]?.[1] ?? {}) as Record<string, string>),
    };
    out.push({
      identity,
      hostname: typeof info.hostname === "string" ? info.hostname : "",
      pid: Number(info.pid) || 0,
      tag: typeof info.tag === "string" ? info.tag : "",
      queues: Array.isArray(info.queues) ? info.queues.map(String) : [],
      concurrency: Number(info.concurrency) || 0,
      startedAt: Number(info.started_at) || 0,
      beat: Number(hash.beat) || 0,
      busy: Number(hash.busy) || 0,
      quiet: hash.quiet === "true",
      rssKb: Number(hash.rss) || 0,
      jobs: busyJobs(identity, work),
    });
  });
  return out;
}

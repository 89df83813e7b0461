import type { DueSet, EncodedJob } from "../store.js";
import type { StoreCapabilities } from "./index.js";
import { memoryMetrics } from "./memory-metrics.js";
import { type CounterPair, utcDay, utcDays } from "./stats.js";

/** What the in-memory capabilities need from `MemoryStore`. */
export interface MemoryBackend {
  list(key: string): string[];
  readonly sets: Record<DueSet | "dead", Map<string, number>>;
  push(jobs: readonly EncodedJob[]): Promise<void>;
}

/** Every {@link StoreCapabilities} implemented in memory, for `MemoryStore` (one process only). */
export function memoryCapabilities(
  backend: MemoryBackend,
): Required<Omit<StoreCapabilities, "nodes" | "flow">> {
  const counters = new Map<string, number>();
  const get = (key: string) => counters.get(key) ?? 0;
  const add = (key: string, n: number) => counters.set(key, get(key) + n);
  const expiring = new Map<string, { value: string; until: number }>();
  const live = (key: string) => {
    const entry = expiring.get(key);
    if (entry && entry.until <= Date.now()) expiring.delete(key);
    return expiring.get(key);
  };
  const cron = new Map<string, string>();
  const log: { id: string; data: string }[] = [];
  const logWaiters = new Set<() => void>();
  let seq = 0;
  const dueListeners = new Set<(at: number) => void>();
  return {
    stats: {
      ...memoryMetrics(),
      async increment(deltas, at = new Date()) {
        const day = utcDay(at);
        add("processed", deltas.processed);
        add("failed", deltas.failed);
        add(`processed:${day}`, deltas.processed);
        add(`failed:${day}`, deltas.failed);
        for (const [queue, pair] of Object.entries(deltas.byQueue)) {
          add(`processed:queue:${queue}`, pair.processed);
          add(`failed:queue:${queue}`, pair.failed);
        }
      },
      async totals() {
        return { processed: get("processed"), failed: get("failed") };
      },
      async queueTotals(queues) {
        const out: Record<string, CounterPair> = {};
        for (const q of queues)
          out[q] = { processed: get(`processed:queue:${q}`), failed: get(`failed:queue:${q}`) };
        return out;
      },
      async history(days, end) {
        return utcDays(days, end).map((date) => ({
          date,
          processed: get(`processed:${date}`),
          failed: get(`failed:${date}`),
        }));
      },
    },
    queueInspect: {
      async oldest(queues) {
        return queues.map((q) => backend.list(`queue:${q}`).at(-1) ?? null);
      },
      async nextDue(set) {
        let min: number | null = null;
        for (const score of backend.sets[set].values()) if (min === null || score < min) min = score;
        return min;
      },
    },
    lease: {
      async acquire(name, token, ttlMs) {
        const entry = live(`lease:${name}`);
        if (entry && entry.value !== token) return false;
        expiring.set(`lease:${name}`, { value: token, until: Date.now() + ttlMs });
        return true;
      },
      async renew(name, token, ttlMs) {
        const entry = live(`lease:${name}`);
        if (!entry || entry.value !== token) return false;
        entry.until = Date.now() + ttlMs;
        return true;
      },
      async release(name, token) {
        const entry = live(`lease:${name}`);
        if (!entry || entry.value !== token) return false;
        expiring.delete(`lease:${name}`);
        return true;
      },
      async holder(name) {
        return live(`lease:${name}`)?.value ?? null;
      },
    },
    once: {
      async claim(key, ttlMs) {
        if (live(`once:${key}`)) return false;
        expiring.set(`once:${key}`, { value: "1", until: Date.now() + ttlMs });
        return true;
      },
      async claimAndPush(key, ttlMs, jobs) {
        if (live(`once:${key}`)) return false;
        expiring.set(`once:${key}`, { value: "1", until: Date.now() + ttlMs });
        await backend.push(jobs);
        return true;
      },
    },
    cronRegistry: {
      async put(entries) {
        for (const [name, json] of Object.entries(entries)) cron.set(name, json);
      },
      async all() {
        return Object.fromEntries(cron);
      },
      async remove(names) {
        let n = 0;
        for (const name of names) if (cron.delete(name)) n++;
        return n;
      },
    },
    eventLog: {
      async append(entries, maxLen) {
        for (const data of entries) log.push({ id: `${Date.now()}-${seq++}`, data });
        if (log.length > maxLen) log.splice(0, log.length - maxLen);
        for (const wake of [...logWaiters]) wake();
      },
      async lastId() {
        return log.at(-1)?.id ?? "0-0";
      },
      openReader() {
        let closed = false;
        let cancel: (() => void) | undefined;
        const after = (afterId: string) => {
          if (afterId === "0" || afterId === "0-0") return 0;
          const i = log.findIndex((e) => compareIds(e.id, afterId) > 0);
          return i === -1 ? log.length : i;
        };
        return {
          async read(afterId, count, blockMs) {
            const from = afterId === "$" ? (log.at(-1)?.id ?? "0-0") : afterId;
            let start = after(from);
            if (start >= log.length && blockMs > 0 && !closed) {
              await new Promise<void>((resolve) => {
                const timer = setTimeout(done, blockMs);
                function done() {
                  clearTimeout(timer);
                  logWaiters.delete(done);
                  cancel = undefined;
                  resolve();
                }
                cancel = done;
                logWaiters.add(done);
              });
              start = after(from);
            }
            return log.slice(start, start + count);
          },
          async close() {
            closed = true;
            cancel?.();
          },
        };
      },
    },
    dueWatch: {
      async notify(at) {
        for (const listener of dueListeners) listener(at);
      },
      async subscribe(listener) {
        dueListeners.add(listener);
        return async () => {
          dueListeners.delete(listener);
        };
      },
    },
  };
}

/** Compare two `ms-seq` ids numerically. */
function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}

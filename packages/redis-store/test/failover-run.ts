import { createVerk, defineWorker, isVerkError, type Logger, sleep, type Verk } from "@verk/core";
import { until } from "@verk/test-redis/vitest";
import type { RedisStore } from "../src/index.js";

/** How to run jobs through a failover. */
export interface FailoverScenario {
  /** A new store handle on the topology (each node gets its own). */
  store(): RedisStore;
  /** The queues jobs are spread over. */
  readonly queues: readonly string[];
  /**
   * Kill the master and wait for its replica to take over (it may bring the old one back as a
   * replica meanwhile). `unreplicated` marks the window in which the replica was held back, so
   * the master acknowledged writes its replica never got.
   */
  failover(unreplicated: { start(): void; end(): void }): Promise<void>;
  /** Jobs now in the in-progress lists of `nodeIds` (all queues). */
  inFlight(nodeIds: readonly string[]): Promise<number>;
  /** Milliseconds of producing before the failover, and after it. (Default: 1,500 and 2,000) */
  readonly beforeMs?: number;
  readonly afterMs?: number;
  /** Longest wait, in ms, for every resolved job to have run after producing stopped. (Default: 20,000) */
  readonly drainTimeoutMs?: number;
}

/** What a run through a failover saw. */
export interface FailoverResult {
  /** Jobs whose enqueue resolved. */
  readonly resolved: number;
  /** Of those, jobs that never ran. */
  readonly lost: number;
  /** Extra runs (sum over jobs of runs - 1). */
  readonly duplicates: number;
  /** Jobs in the workers' in-progress lists just before the kill. */
  readonly inFlightAtKill: number;
  /** Runs that started while the replica was held back (their fetch and ack may be lost). */
  readonly ranUnreplicated: number;
  /** Jobs resolved after the failover completed; all of them ran. */
  readonly resolvedAfter: number;
  /** Enqueues that were rejected, by error code (the producer went on). */
  readonly rejected: Readonly<Record<string, number>>;
  /** The workers' total concurrency. */
  readonly concurrency: number;
  /** Milliseconds the scenario's failover took (kill to the replica serving as the master). */
  readonly failoverMs: number;
  /** Milliseconds from the end of producing until every resolved job had run. */
  readonly drainMs: number;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const PER_QUEUE = 4;

/**
 * Two worker nodes and a producer run while the scenario fails the master over: the producer
 * enqueues batches all along (rejections are counted and it goes on), the workers record every
 * run in memory (so nothing of the record is in Redis, where a failover could lose it). After the
 * failover the run goes on, then drains until every job whose enqueue resolved has run (or 20 s).
 */
export async function runThroughFailover(scenario: FailoverScenario): Promise<FailoverResult> {
  const runs = new Map<string, number>();
  let window = false;
  let ranUnreplicated = 0;
  const Job = defineWorker("FailoverJob", async function () {
    runs.set(this.jid, (runs.get(this.jid) ?? 0) + 1);
    if (window) ranUnreplicated++;
    // Jobs taken while the replica is held back run long, so a backlog builds up that only the
    // master has (it is lost at the kill unless its enqueues waited for the replica).
    await sleep(window ? 800 : 3);
  });
  const make = (queues: Record<string, number> | undefined) =>
    createVerk({
      store: scenario.store(),
      ...(queues ? { queues } : {}),
      workers: [Job],
      fetchBlockMs: 200,
      logger: quiet,
      liveness: { heartbeatMs: 1_000, nodeTtlMs: 15_000, maxEventLoopBlockMs: 0 },
    });
  const perQueue = Object.fromEntries(scenario.queues.map((q) => [q, PER_QUEUE]));
  const workers = [make(perQueue), make(perQueue)];
  const producer = make(undefined);
  const all: Verk[] = [...workers, producer];
  const resolved = new Set<string>();
  const resolvedAfter = new Set<string>();
  const rejected: Record<string, number> = {};
  let producing = true;
  let failedOver = false;
  let inFlightAtKill = 0;
  let failoverMs = 0;
  let drainMs = 0;
  try {
    for (const w of workers) await w.start();
    const produce = (async () => {
      let n = 0;
      while (producing) {
        const batch = Array.from({ length: 8 }, () => ({
          class: "FailoverJob",
          queue: scenario.queues[n++ % scenario.queues.length]!,
        }));
        const after = failedOver;
        try {
          for (const jid of await producer.enqueueBulk(batch)) {
            if (jid === null) throw new Error("no unique jobs here: enqueueBulk dropped none");
            resolved.add(jid);
            if (after) resolvedAfter.add(jid);
          }
        } catch (error) {
          const code = isVerkError(error) ? error.code : "OTHER";
          rejected[code] = (rejected[code] ?? 0) + 1;
          await sleep(50);
        }
        await sleep(15);
      }
    })();
    await sleep(scenario.beforeMs ?? 1_500);
    inFlightAtKill = await scenario.inFlight(workers.map((w) => w.nodeId));
    const t0 = Date.now();
    await scenario.failover({
      start: () => {
        window = true;
      },
      end: () => {
        window = false;
      },
    });
    failoverMs = Date.now() - t0;
    failedOver = true;
    await sleep(scenario.afterMs ?? 2_000);
    producing = false;
    await produce;
    const t1 = Date.now();
    const drainTimeout = scenario.drainTimeoutMs ?? 20_000;
    await until(
      () => [...resolved].every((jid) => runs.has(jid)),
      drainTimeout,
      "every resolved job to run",
    ).catch(() => {});
    drainMs = Date.now() - t1;
  } finally {
    producing = false;
    await Promise.all(all.map((v) => v.stop({ timeout: 2_000 }).catch(() => {})));
  }
  let duplicates = 0;
  for (const count of runs.values()) duplicates += count - 1;
  return {
    resolved: resolved.size,
    lost: [...resolved].filter((jid) => !runs.has(jid)).length,
    duplicates,
    inFlightAtKill,
    ranUnreplicated,
    resolvedAfter: resolvedAfter.size,
    rejected,
    concurrency: workers.length * PER_QUEUE * scenario.queues.length,
    failoverMs,
    drainMs,
  };
}

import { hostname } from "node:os";
import type { NodeHandle } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { Keys } from "../keys.js";
import type { ResolvedSidekiqProcess } from "./options.js";
import { processFields, workEntries } from "./process-data.js";

/**
 * Makes a Verk node visible to Sidekiq as a process (`Sidekiq::ProcessSet`, the Web UI's Busy
 * page) and lets Sidekiq's Quiet/Stop act on it. Every `intervalMs`, like Sidekiq's launcher:
 * 1. MULTI: UNLINK `<id>:work`, HSET one field per running job, EXPIRE ttl. EXEC.
 * 2. PING (round trip → `rtt_us`).
 * 3. MULTI: SADD `processes` id, HSET `<id>` info/busy/beat/rtt_us/quiet/rss, EXPIRE ttl,
 *    RPOP `<id>-signals`. EXEC. Then `TSTP` quiets the node, `TERM` stops it.
 * On stop: SREM `processes` id and UNLINK the work hash (the process hash expires by its TTL).
 */
export class SidekiqProcessHeartbeat {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #node: NodeHandle;
  readonly #options: ResolvedSidekiqProcess;
  readonly #host = process.env.DYNO || hostname();
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #stopped = false;
  #stopRequested = false;

  constructor(redis: Redis, keys: Keys, node: NodeHandle, options: ResolvedSidekiqProcess) {
    this.#redis = redis;
    this.#keys = keys;
    this.#node = node;
    this.#options = options;
  }

  /** Beat once now (resolves when written), then every `intervalMs`. */
  async start(): Promise<void> {
    await this.beat();
    this.#schedule();
  }

  /** Write one heartbeat and handle one pending signal. Errors are logged, never thrown. */
  beat(): Promise<void> {
    this.#beating ??= this.#beat()
      .catch((error: unknown) => {
        this.#node.logger.warn({ err: error }, "[redis-store] Sidekiq process heartbeat failed; will retry");
      })
      .finally(() => {
        this.#beating = undefined;
      });
    return this.#beating;
  }

  /** Stop beating, then SREM the process from `processes` and UNLINK its work hash. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#beating;
    const id = this.#node.nodeId;
    await this.#redis
      .multi()
      .srem(this.#keys.processes, id)
      .unlink(...this.#options.workKeys.map((name) => this.#keys.processWork(id, name)))
      .exec();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.beat().then(() => this.#schedule());
    }, this.#options.intervalMs);
    this.#timer.unref?.();
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    const node = this.#node;
    const id = node.nodeId;
    const ttl = this.#options.ttlSeconds;
    const work = workEntries(node.runningJobs());
    const first = this.#redis.multi();
    for (const name of this.#options.workKeys) {
      const key = this.#keys.processWork(id, name);
      first.unlink(key);
      if (work.length > 0) first.hset(key, ...work).expire(key, ttl);
    }
    await first.exec();

    const pingStart = process.hrtime.bigint();
    await this.#redis.ping();
    const rttMicros = Number(process.hrtime.bigint() - pingStart) / 1_000;

    const quiet = node.quieted || this.#stopRequested;
    const processKey = this.#keys.process(id);
    const replies = await this.#redis
      .multi()
      .sadd(this.#keys.processes, id)
      .hset(processKey, ...processFields(node, this.#options, this.#host, rttMicros, quiet))
      .expire(processKey, ttl)
      .rpop(this.#keys.processSignals(id))
      .exec();
    const signal = replies?.[3]?.[1];
    if (typeof signal === "string" && !this.#stopped) this.#handle(signal);
  }

  #handle(signal: string): void {
    const node = this.#node;
    if (signal === "TSTP") {
      node.logger.info(`[redis-store] Sidekiq signal TSTP: quieting node ${node.nodeId}`);
      node.quiet();
    } else if (signal === "TERM") {
      node.logger.info(`[redis-store] Sidekiq signal TERM: stopping node ${node.nodeId}`);
      this.#stopRequested = true;
      node.quiet();
      node.requestStop();
    } else if (signal === "TTIN") {
      const running = node.runningJobs().map((job) => ({ queue: job.queue, startedAt: job.startedAt }));
      node.logger.warn({ running }, `[redis-store] Sidekiq signal TTIN: ${running.length} running job(s)`);
    } else {
      node.logger.warn(`[redis-store] ignoring unknown Sidekiq signal ${JSON.stringify(signal)}`);
    }
  }
}

/**
 * Start the Sidekiq process heartbeat of `node` (first beat written before it resolves).
 * @returns the function that stops it and removes the process from `processes`.
 */
export async function attachSidekiqProcess(
  redis: Redis,
  keys: Keys,
  node: NodeHandle,
  options: ResolvedSidekiqProcess,
): Promise<() => Promise<void>> {
  const heartbeat = new SidekiqProcessHeartbeat(redis, keys, node, options);
  await heartbeat.start();
  return () => heartbeat.stop();
}

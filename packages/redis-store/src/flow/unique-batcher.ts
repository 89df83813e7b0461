import { randomBytes } from "node:crypto";
import type { FlowJob, OnceClaim, UniqueOutcome } from "@verk/core";
import type { RedisClient } from "../client.js";
import type { Keys } from "../keys.js";
import { runScript } from "../scripts.js";
import type { FlowKeys } from "./keys.js";

/** Payloads per `unique-push` script call. */
const CHUNK = 1_000;
/** How long a batch token lets a re-sent push be recognised, in ms (as `PushBatcher`). */
const TOKEN_TTL_MS = 10 * 60 * 1000;
/** Acknowledged tokens deleted per call. */
const DELETES_PER_CALL = 16;

/** The jobs one `push` call has for one queue; their outcomes go to `call.outcomes[at[i]]`. */
interface Pending {
  readonly jobs: FlowJob[];
  readonly at: number[];
  readonly call: PushCall;
}

/** One `push` call: resolves once every queue's part of it was answered. */
interface PushCall {
  readonly outcomes: UniqueOutcome[];
  remaining: number;
  resolve(outcomes: UniqueOutcome[]): void;
  reject(error: unknown): void;
}

const PUSHED: UniqueOutcome = Object.freeze({ pushed: true });

/**
 * The outcomes of the `count` jobs of one `unique-push` / `unique-schedule` call, from its reply
 * `{written, i1, holder1, ...}` (the 1-based positions of the dropped jobs and their lock holders).
 */
export function outcomesOf(reply: readonly unknown[], count: number): UniqueOutcome[] {
  const outcomes: UniqueOutcome[] = new Array(count).fill(PUSHED);
  for (let i = 1; i + 1 < reply.length; i += 2) {
    const holder = String(reply[i + 1] ?? "");
    outcomes[Number(reply[i]) - 1] = { pushed: false, heldBy: holder === "" ? undefined : holder };
  }
  return outcomes;
}

/**
 * The `unique-push` calls of a store: pushes of one event-loop turn are coalesced per queue into
 * one script call per 1,000 jobs, in call order, each claiming a random batch token in the same
 * step (a re-sent call after a lost reply gets the stored outcomes and writes nothing), exactly as
 * `PushBatcher` does for plain pushes; each job takes its unique lock (if any) in that step.
 */
export class UniquePushBatcher {
  readonly #redis: RedisClient;
  readonly #keys: Keys;
  readonly #flow: FlowKeys;
  #pending = new Map<string, Pending[]>();
  #timer: NodeJS.Immediate | undefined;
  readonly #acknowledged = new Map<string, string[]>();

  constructor(redis: RedisClient, keys: Keys, flow: FlowKeys) {
    this.#redis = redis;
    this.#keys = keys;
    this.#flow = flow;
  }

  /** Queue `jobs` for the next flush; resolves their outcomes, in order, once stored. */
  push(jobs: readonly FlowJob[]): Promise<UniqueOutcome[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    return new Promise<UniqueOutcome[]>((resolve, reject) => {
      const call: PushCall = { outcomes: new Array(jobs.length).fill(PUSHED), remaining: 0, resolve, reject };
      const parts = new Map<string, Pending>();
      jobs.forEach((job, i) => {
        let part = parts.get(job.queue);
        if (part === undefined) {
          part = { jobs: [], at: [], call };
          parts.set(job.queue, part);
          const list = this.#pending.get(job.queue);
          if (list === undefined) this.#pending.set(job.queue, [part]);
          else list.push(part);
          call.remaining++;
        }
        part.jobs.push(job);
        part.at.push(i);
      });
      this.#timer ??= setImmediate(() => this.flush());
    });
  }

  /** Send every queued push now: per queue, its jobs of this turn in call order, 1,000 per script call. */
  flush(): void {
    if (this.#timer !== undefined) clearImmediate(this.#timer);
    this.#timer = undefined;
    const batches = this.#pending;
    this.#pending = new Map();
    for (const [queue, parts] of batches) {
      const jobs = parts.flatMap((part) => part.jobs);
      const owners = parts.flatMap((part) => part.at.map((at) => ({ call: part.call, at })));
      const calls: Promise<void>[] = [];
      for (let i = 0; i < jobs.length; i += CHUNK) {
        calls.push(
          this.#call(queue, jobs.slice(i, i + CHUNK)).then((outcomes) => {
            outcomes?.forEach((outcome, j) => {
              const owner = owners[i + j]!;
              owner.call.outcomes[owner.at] = outcome;
            });
          }),
        );
      }
      Promise.all(calls).then(
        () => {
          for (const { call } of parts) if (--call.remaining === 0) call.resolve(call.outcomes);
        },
        (error: unknown) => {
          for (const { call } of parts) call.reject(error);
        },
      );
    }
  }

  /** Push `jobs` of one queue in one call claiming `once` (not batched); `undefined` when the marker existed. */
  async pushOnce(
    queue: string,
    jobs: readonly FlowJob[],
    once: OnceClaim,
  ): Promise<UniqueOutcome[] | undefined> {
    return this.#call(queue, jobs, once);
  }

  /** Delete the tokens of acknowledged batches now (at close). */
  async cleanup(): Promise<void> {
    const tokens = [...this.#acknowledged.values()].flat();
    this.#acknowledged.clear();
    await Promise.all(tokens.map((token) => this.#redis.del(token)));
  }

  async #call(
    queue: string,
    jobs: readonly FlowJob[],
    once?: OnceClaim,
  ): Promise<UniqueOutcome[] | undefined> {
    const keys = this.#keys;
    const cluster = keys.layout === "cluster";
    const claim = once
      ? keys.onceMarker(queue, once.key)
      : keys.pushToken(queue, randomBytes(9).toString("base64url"));
    const list = keys.queue(queue);
    const done = once ? [] : (this.#acknowledged.get(queue)?.splice(0, DELETES_PER_CALL) ?? []);
    const scriptKeys = [claim, list, cluster ? list : keys.queues, this.#flow.counters(queue), ...done];
    const args: (string | number)[] = [
      once ? once.ttlMs : TOKEN_TTL_MS,
      once ? "once" : "token",
      cluster ? "none" : "registry",
      queue,
      done.length,
    ];
    for (const job of jobs) {
      if (job.lock === undefined) args.push(0, 0, job.jid, job.raw);
      else {
        scriptKeys.push(this.#flow.uniqueLock(queue, job.lock.digest));
        args.push(scriptKeys.length, Math.max(1, Math.ceil(job.lock.ttlMs)), job.jid, job.raw);
      }
    }
    const call = runScript(this.#redis, "unique-push", scriptKeys, args) as Promise<unknown[] | number[]>;
    // The registry lives in another slot in the cluster layout: add the name next to the push.
    const [reply] = await Promise.all([call, cluster ? this.#redis.sadd(keys.queues, queue) : undefined]);
    if (!once) {
      let acknowledged = this.#acknowledged.get(queue);
      if (acknowledged === undefined) {
        acknowledged = [];
        this.#acknowledged.set(queue, acknowledged);
      }
      acknowledged.push(claim);
    }
    if (once && reply[0] === -1) return undefined;
    return outcomesOf(reply, jobs.length);
  }
}

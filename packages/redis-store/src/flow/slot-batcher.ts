import type { Admission, AdmitRequest, HeldSlot } from "@verk/core";
import type { RedisClient } from "../client.js";
import type { Keys } from "../keys.js";
import { noteDue } from "../moves/due-index.js";
import { runScript } from "../scripts.js";
import type { FlowKeys, LimitPart } from "./keys.js";

/** Jobs per `limit-admit` / members per `limit-release` call. */
const CHUNK = 500;

interface Waiting<R, T> {
  readonly request: R;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Per-tick groups of requests, sent by `send` once per group and chunk. */
class TickGroups<R, T> {
  #pending = new Map<string, Waiting<R, T>[]>();
  #timer: NodeJS.Immediate | undefined;
  readonly #send: (group: readonly R[]) => Promise<T[]>;

  constructor(send: (group: readonly R[]) => Promise<T[]>) {
    this.#send = send;
  }

  add(group: string, request: R): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let list = this.#pending.get(group);
      if (list === undefined) {
        list = [];
        this.#pending.set(group, list);
      }
      list.push({ request, resolve, reject });
      this.#timer ??= setImmediate(() => this.flush());
    });
  }

  flush(): void {
    if (this.#timer !== undefined) clearImmediate(this.#timer);
    this.#timer = undefined;
    const groups = this.#pending;
    this.#pending = new Map();
    for (const list of groups.values()) {
      for (let i = 0; i < list.length; i += CHUNK) {
        const chunk = list.slice(i, i + CHUNK);
        this.#send(chunk.map((w) => w.request)).then(
          (results) => {
            chunk.forEach((w, j) => {
              w.resolve(results[j]!);
            });
          },
          (error: unknown) => {
            for (const w of chunk) w.reject(error);
          },
        );
      }
    }
  }
}

/**
 * The per-key admissions and the slot releases of a store, coalesced per event-loop turn: the
 * admissions of one queue and node in one `limit-admit` call, the releases of one limit in one
 * `limit-release` call (500 per call), so a limited job costs a share of a script call, not a
 * round trip of its own.
 */
export class SlotBatcher {
  readonly #redis: RedisClient;
  readonly #keys: Keys;
  readonly #flow: FlowKeys;
  readonly #admits: TickGroups<AdmitRequest, Admission>;
  readonly #releases: TickGroups<HeldSlot, undefined>;
  /** Called with the due time (epoch seconds) of jobs put back into a queue's `schedule` set. */
  readonly #onParked: (queue: string, at: number) => void;

  constructor(redis: RedisClient, keys: Keys, flow: FlowKeys, onParked: (queue: string, at: number) => void) {
    this.#redis = redis;
    this.#keys = keys;
    this.#flow = flow;
    this.#onParked = onParked;
    this.#admits = new TickGroups((group) => this.#admit(group));
    this.#releases = new TickGroups((group) => this.#release(group));
  }

  /** Check one fetched job against its per-key limit (sent with the other checks of this turn). */
  admit(request: AdmitRequest): Promise<Admission> {
    return this.#admits.add(`${request.queue}\n${request.nodeId}`, request);
  }

  /** Give one slot back (sent with the other releases of its limit in this turn). */
  async release(slot: HeldSlot): Promise<void> {
    await this.#releases.add(this.#part(slot, "running"), slot);
  }

  /** Send what is pending now (at close). */
  flush(): void {
    this.#admits.flush();
    this.#releases.flush();
  }

  #part(slot: Pick<HeldSlot, "queue" | "limit" | "key">, part: LimitPart): string {
    return this.#flow.limit(slot.queue, slot.limit.className, slot.key, part);
  }

  async #admit(group: readonly AdmitRequest[]): Promise<Admission[]> {
    const first = group[0]!;
    const { queue } = first;
    const scriptKeys = [
      this.#keys.inprogress(queue, first.nodeId),
      this.#keys.setOf("schedule", queue),
      this.#flow.counters(queue),
    ];
    const args: (string | number | Buffer)[] = [Math.max(1, Math.ceil(first.slotTtlMs))];
    for (const r of group) {
      scriptKeys.push(
        this.#part(r, "running"),
        this.#part(r, "starts"),
        this.#part(r, "parked"),
        this.#part(r, "next"),
      );
      args.push(r.raw, r.member, r.limit.concurrency ?? 0, r.limit.rate ?? 0, r.limit.perMs ?? 0);
    }
    const reply = (await runScript(this.#redis, "limit-admit", scriptKeys, args)) as unknown[];
    const out: Admission[] = [];
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < group.length; i++) {
      const status = Number(reply[3 * i]);
      if (status === 1) out.push({ kind: "admitted" });
      else if (status === -1) out.push({ kind: "gone" });
      else {
        const retryAtMs = Number(reply[3 * i + 1]);
        earliest = Math.min(earliest, retryAtMs);
        out.push({ kind: "parked", reason: reply[3 * i + 2] === "rate" ? "rate" : "concurrency", retryAtMs });
      }
    }
    if (Number.isFinite(earliest)) {
      if (this.#keys.layout === "cluster")
        await noteDue(this.#redis, this.#keys, "schedule", queue, earliest / 1000);
      this.#onParked(queue, earliest / 1000);
    }
    return out;
  }

  async #release(group: readonly HeldSlot[]): Promise<undefined[]> {
    const slot = group[0]!;
    const running = this.#part(slot, "running");
    const perKey = slot.key !== undefined;
    await runScript(
      this.#redis,
      "limit-release",
      [
        running,
        this.#part(slot, perKey ? "parked" : "wake"),
        perKey ? this.#keys.setOf("schedule", slot.queue) : running,
        perKey ? this.#keys.queue(slot.queue) : running,
      ],
      [slot.limit.concurrency ?? 1, perKey ? "unpark" : "wake", ...group.map((s) => s.member)],
    );
    return group.map(() => undefined);
  }
}

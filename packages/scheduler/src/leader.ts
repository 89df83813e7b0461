import {
  type DueSet,
  type DueWatchCapability,
  type LeaseCapability,
  type Logger,
  type QueueInspectCapability,
  toSeconds,
  type VerkStore,
} from "@verk/core";

/** Settings of {@link LeaderPromoter}. */
export interface LeaderSettings {
  readonly store: VerkStore;
  readonly lease: LeaseCapability;
  readonly inspect: QueueInspectCapability;
  readonly dueWatch: DueWatchCapability | undefined;
  readonly leaseName: string;
  readonly token: string;
  readonly leaseTtlMs: number;
  readonly maxSleepMs: number;
  readonly batchSize: number;
  readonly logger: Logger;
  /** Called when this node becomes leader (true) or stops being leader (false). */
  readonly onLeadership?: (leader: boolean) => void;
  /** Called after jobs were promoted. */
  readonly onPromoted?: (count: number) => void;
}

const SETS: readonly DueSet[] = ["retry", "schedule"];

/**
 * One node's scheduler loop. Every `leaseTtlMs / 3` it takes or renews the lease; the holder
 * (the leader) promotes due jobs of `retry` and `schedule` in batches, then sleeps until the
 * lowest score of both sets, at most `maxSleepMs`, waking early when a `dueWatch` notice
 * announces an earlier job. Standby nodes only retry the lease, and try at once when the
 * leader announces it released it.
 */
export class LeaderPromoter {
  readonly #s: LeaderSettings;
  #leader = false;
  #stopped = true;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #wakeAt = 0;
  #leaseDueAt = 0;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(settings: LeaderSettings) {
    this.#s = settings;
  }

  /** True while this node holds the lease. */
  get isLeader(): boolean {
    return this.#leader;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#unsubscribe = await this.#s.dueWatch?.subscribe((at) => this.#notice(at));
    this.#loop = this.#run();
  }

  /** Stop the loop, release the lease (so a standby takes over at once) and announce it. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    await this.#unsubscribe?.().catch(() => {});
    if (this.#leader) {
      this.#setLeader(false);
      const released = await this.#s.lease.release(this.#s.leaseName, this.#s.token).catch(() => false);
      if (released) await this.#s.dueWatch?.notify(0).catch(() => {});
    }
  }

  #notice(at: number): void {
    if (at <= 0) {
      if (!this.#leader) {
        this.#leaseDueAt = 0; // the leader left: try now
        this.#wake?.();
      }
      return;
    }
    if (this.#leader && at * 1000 < this.#wakeAt) this.#wake?.();
  }

  #setLeader(leader: boolean): void {
    if (leader === this.#leader) return;
    this.#leader = leader;
    this.#s.logger.info(
      { plugin: "@verk/scheduler", leader, lease: this.#s.leaseName },
      leader ? "this node is now the scheduler leader" : "this node is no longer the scheduler leader",
    );
    this.#s.onLeadership?.(leader);
  }

  async #run(): Promise<void> {
    const { leaseTtlMs, maxSleepMs } = this.#s;
    while (!this.#stopped) {
      let wakeAt = Date.now() + maxSleepMs;
      try {
        if (Date.now() >= this.#leaseDueAt) {
          const held = await this.#s.lease.acquire(this.#s.leaseName, this.#s.token, leaseTtlMs);
          this.#leaseDueAt = Date.now() + leaseTtlMs / 3;
          this.#setLeader(held);
        }
        wakeAt = this.#leaseDueAt;
        if (this.#leader && !this.#stopped) {
          await this.#promote();
          const next = await this.#nextDueMs();
          // `next` is by the store's clock (Redis TIME): sleep for the distance from its "now".
          const local =
            next === undefined ? Number.POSITIVE_INFINITY : Date.now() + (next - this.#storeNow());
          wakeAt = Math.min(wakeAt, Date.now() + maxSleepMs, local);
        }
      } catch (error) {
        this.#s.logger.warn(
          { plugin: "@verk/scheduler", lease: this.#s.leaseName, err: error },
          "scheduler step failed; will retry",
        );
        this.#leaseDueAt = 0;
        wakeAt = Date.now() + Math.min(1_000, leaseTtlMs / 3);
      }
      await this.#sleepUntil(wakeAt);
    }
  }

  /** The store's clock (epoch ms): due-ness is judged by it, so nodes with skewed clocks agree. */
  #storeNow(): number {
    return this.#s.store.now?.() ?? Date.now();
  }

  /** Promote due jobs of each set; the sets are independent (a failing one never holds the other up). */
  async #promote(): Promise<void> {
    let failure: unknown;
    for (const set of SETS) {
      try {
        for (;;) {
          const moved = await this.#s.store.promoteDue(set, toSeconds(this.#storeNow()), this.#s.batchSize);
          if (moved > 0) this.#s.onPromoted?.(moved);
          if (moved < this.#s.batchSize || this.#stopped) break;
        }
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }

  async #nextDueMs(): Promise<number | undefined> {
    const scores = await Promise.all(SETS.map((set) => this.#s.inspect.nextDue(set)));
    const present = scores.filter((s): s is number => s !== null);
    return present.length === 0 ? undefined : Math.min(...present) * 1000;
  }

  #sleepUntil(at: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#wakeAt = at;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, at - Date.now()));
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = undefined;
        self.#wakeAt = 0;
        resolve();
      }
      this.#wake = done;
    });
  }
}

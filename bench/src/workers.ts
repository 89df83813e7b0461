import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SystemName } from "./adapters/types.js";
import type { InitMessage, WorkerReport } from "./worker-child.js";

const CHILD = fileURLToPath(new URL("./worker-child.ts", import.meta.url));

/** Options of {@link WorkerPool}. */
export interface PoolOptions {
  system: SystemName;
  url: string;
  processes: number;
  concurrency: number;
  latency: boolean;
  /** The workload schedules jobs (see `ConsumerOptions.scheduled`). (Default: false) */
  scheduled?: boolean;
  /** Directory for `--cpu-prof` output of the worker processes (off when undefined). */
  cpuProfDir?: string | undefined;
}

interface Member {
  child: ChildProcess;
  count: number;
  waiters: Map<string, { resolve(message: unknown): void; reject(error: Error): void }>;
}

/** The workers did not complete the jobs in time. */
export class PoolTimeoutError extends Error {
  constructor(
    readonly completed: number,
    readonly total: number,
    readonly timeoutMs: number,
  ) {
    super(`timed out: ${completed} of ${total} jobs completed in ${timeoutMs} ms`);
    this.name = "PoolTimeoutError";
  }
}

/** Forked worker processes of one system, driven through the protocol of `worker-child.ts`. */
export class WorkerPool {
  readonly #members: Member[] = [];
  #onProgress: (() => void) | undefined;
  #failure: Error | undefined;

  private constructor() {}

  /** Fork `processes` workers and wait until each is connected and idle. */
  static async open(options: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool();
    const execArgv = ["--import", "tsx"];
    if (options.cpuProfDir) execArgv.push("--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`);
    for (let n = 0; n < options.processes; n++) {
      const child = fork(CHILD, [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
      const member: Member = { child, count: 0, waiters: new Map() };
      child.on("message", (message: { type: string; count?: number; message?: string }) => {
        if (message.type === "progress") {
          member.count = message.count ?? 0;
          pool.#onProgress?.();
        } else if (message.type === "error") {
          pool.#failure = new Error(`worker ${options.system}: ${message.message}`);
          pool.#onProgress?.();
          for (const waiter of member.waiters.values()) waiter.reject(pool.#failure);
          member.waiters.clear();
        }
        const waiter = member.waiters.get(message.type);
        member.waiters.delete(message.type);
        waiter?.resolve(message);
      });
      pool.#members.push(member);
    }
    const init: InitMessage = {
      type: "init",
      system: options.system,
      url: options.url,
      concurrency: options.concurrency,
      latency: options.latency,
      scheduled: options.scheduled ?? false,
    };
    await Promise.all(pool.#members.map((m) => pool.#request(m, init, "ready")));
    return pool;
  }

  /** Send `start` to every worker. */
  start(): void {
    for (const m of this.#members) m.child.send({ type: "start" });
  }

  /** Resolves once the workers together completed `total` jobs; rejects with a {@link PoolTimeoutError} after `timeoutMs`. */
  waitForCompleted(total: number, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onProgress = undefined;
        reject(new PoolTimeoutError(this.completed(), total, timeoutMs));
      }, timeoutMs);
      const check = () => {
        if (this.#failure) {
          clearTimeout(timer);
          this.#onProgress = undefined;
          reject(this.#failure);
        } else if (this.completed() >= total) {
          clearTimeout(timer);
          this.#onProgress = undefined;
          resolve();
        }
      };
      this.#onProgress = check;
      check();
    });
  }

  /** Jobs completed so far (as last reported). */
  completed(): number {
    return this.#members.reduce((sum, m) => sum + m.count, 0);
  }

  /** Each worker's report. */
  reports(): Promise<WorkerReport[]> {
    return Promise.all(
      this.#members.map((m) => this.#request(m, { type: "report" }, "report") as Promise<WorkerReport>),
    );
  }

  /** Stop every worker and wait for it to exit. */
  async close(): Promise<void> {
    await Promise.all(
      this.#members.map(
        (m) =>
          new Promise<void>((resolve) => {
            if (m.child.exitCode !== null || m.child.signalCode !== null) return resolve();
            const timer = setTimeout(() => m.child.kill("SIGKILL"), 10_000);
            m.child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            if (m.child.connected) m.child.send({ type: "stop" });
            else m.child.kill("SIGTERM");
          }),
      ),
    );
  }

  #request(member: Member, message: unknown, reply: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`worker exited (${code}) before "${reply}"`));
      member.child.once("exit", onExit);
      member.waiters.set(reply, {
        resolve(value) {
          member.child.off("exit", onExit);
          resolve(value);
        },
        reject(error) {
          member.child.off("exit", onExit);
          reject(error);
        },
      });
      member.child.send(message as object);
    });
  }
}

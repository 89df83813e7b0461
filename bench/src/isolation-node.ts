import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LivenessOptions, QueueOptions } from "@verk/core";
import type { IsolationInit, IsolationReport } from "./isolation-child.js";

const CHILD = fileURLToPath(new URL("./isolation-child.ts", import.meta.url));

/** A forked Verk node for the isolation workloads (see `isolation-child.ts`). */
export class IsolationNode {
  readonly #child: ChildProcess;
  readonly #waiters = new Map<string, { resolve(message: unknown): void; reject(error: Error): void }>();
  #failure: Error | undefined;

  private constructor() {
    this.#child = fork(CHILD, [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.#child.on("message", (message: { type: string; message?: string }) => {
      if (message.type === "error") {
        this.#failure = new Error(`isolation node: ${message.message}`);
        for (const waiter of this.#waiters.values()) waiter.reject(this.#failure);
        this.#waiters.clear();
        return;
      }
      const waiter = this.#waiters.get(message.type);
      this.#waiters.delete(message.type);
      waiter?.resolve(message);
    });
  }

  /**
   * Fork a node with `queues` and wait until it is connected (not started).
   * @param node - its liveness settings and node id, and `store`: `redisStore` options instead of
   *   `{ url }` (e.g. a cluster, `waitReplicas`).
   */
  static async open(
    url: string,
    queues: Record<string, number | QueueOptions>,
    node: { liveness?: LivenessOptions; nodeId?: string; store?: Record<string, unknown> } = {},
  ): Promise<IsolationNode> {
    const child = new IsolationNode();
    const init: IsolationInit = { type: "init", url, queues, ...node };
    await child.#request(init, "ready");
    return child;
  }

  /** Start the node's queues (pools included); resolves once running. */
  async start(): Promise<void> {
    await this.#request({ type: "start" }, "started");
  }

  /** The node's measurements so far. */
  report(): Promise<IsolationReport> {
    return this.#request({ type: "report" }, "report") as Promise<IsolationReport>;
  }

  /** Poll the report until `done(report)`; rejects after `timeoutMs`. */
  async waitFor(done: (report: IsolationReport) => boolean, timeoutMs: number): Promise<IsolationReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const report = await this.report();
      if (done(report)) return report;
      if (Date.now() > deadline) throw new Error(`isolation node: timed out after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stop the node and wait for its process to exit. */
  async close(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      if (child.connected) child.send({ type: "stop" });
      else child.kill("SIGTERM");
    });
  }

  #request(message: unknown, reply: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#failure) return reject(this.#failure);
      const onExit = (code: number | null) =>
        reject(this.#failure ?? new Error(`isolation node exited (${code}) before "${reply}"`));
      this.#child.once("exit", onExit);
      this.#waiters.set(reply, {
        resolve: (value) => {
          this.#child.off("exit", onExit);
          resolve(value);
        },
        reject: (error) => {
          this.#child.off("exit", onExit);
          reject(error);
        },
      });
      this.#child.send(message as object, (error) => {
        if (error) reject(error);
      });
    });
  }
}

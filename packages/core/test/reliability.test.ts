import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryStore } from "../src/memory-store.js";
import { createVerk, type Verk } from "../src/verk.js";
import { defineWorker, type WorkerDefinition } from "../src/worker.js";

const running: Verk[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((v) => v.stop({ timeout: 0 })));
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await wait(5);
  }
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function startNode(
  store: MemoryStore,
  workers: WorkerDefinition<never>[],
  extra: Record<string, unknown> = {},
): Promise<Verk> {
  const verk = createVerk({
    store,
    queues: { q: 2 },
    workers,
    fetchBlockMs: 50,
    pollIntervalMs: 0,
    logger: silent,
    ...extra,
  });
  running.push(verk);
  await verk.start();
  return verk;
}

function retried(store: MemoryStore): Record<string, unknown>[] {
  return [...store.sets.retry.keys()].map((raw) => JSON.parse(raw));
}

function dead(store: MemoryStore): Record<string, unknown>[] {
  return [...store.sets.dead.keys()].map((raw) => JSON.parse(raw));
}

/** Run `fn` with vitest's own process-level error listeners detached, as in a plain Node process. */
async function withoutTestRunnerListeners(fn: () => Promise<void>): Promise<void> {
  const saved = {
    uncaughtException: process.listeners("uncaughtException"),
    unhandledRejection: process.listeners("unhandledRejection"),
  };
  for (const l of saved.uncaughtException) process.off("uncaughtException", l);
  for (const l of saved.unhandledRejection) process.off("unhandledRejection", l);
  try {
    await fn();
  } finally {
    for (const l of saved.uncaughtException) process.on("uncaughtException", l);
    for (const l of saved.unhandledRejection) process.on("unhandledRejection", l);
  }
}

describe("misbehaving handlers are contained and their outcome recorded", () => {
  it.each([
    [
      "throws a string",
      () => {
        throw "plain string";
      },
      "plain string",
    ],
    [
      "throws undefined",
      () => {
        throw undefined;
      },
      "undefined",
    ],
    [
      "throws an object",
      () => {
        throw { code: 42 };
      },
      "42",
    ],
    ["rejects", () => Promise.reject(new Error("rejected!")), "rejected!"],
  ])("a handler that %s fails through the retry path; the queue goes on", async (_name, perform, message) => {
    const store = new MemoryStore();
    let ok = 0;
    const Bad = defineWorker("Bad", perform as () => void, { queue: "q" });
    const Good = defineWorker(
      "Good",
      () => {
        ok++;
      },
      { queue: "q" },
    );
    const verk = await startNode(store, [Bad, Good] as WorkerDefinition<never>[]);
    await verk.enqueue({ class: "Bad", queue: "q" });
    await verk.enqueue({ class: "Good", queue: "q" });
    await until(() => ok === 1 && store.sets.retry.size === 1);
    const [job] = retried(store);
    expect(job).toMatchObject({ class: "Bad", retry_count: 0 });
    expect(String(job!.error_message)).toContain(message);
    await until(() => verk.runningJobs().length === 0);
  });

  it("never leaks a slot: timed-out jobs fail and free their slot once their handler returns, later jobs run", async () => {
    const store = new MemoryStore();
    const aborted: unknown[] = [];
    let ok = 0;
    const Hang = defineWorker(
      "Hang",
      function (this: { signal: AbortSignal }) {
        // Hangs until its timeout aborts the signal, then returns: a timed-out handler keeps its
        // slot until it really ends (see timeout-slots.test.ts).
        return new Promise<void>((resolve) =>
          this.signal.addEventListener("abort", () => {
            aborted.push(this.signal.reason);
            resolve();
          }),
        );
      },
      { queue: "q", timeout: 50 },
    );
    const Good = defineWorker(
      "Good",
      () => {
        ok++;
      },
      { queue: "q" },
    );
    const verk = await startNode(store, [Hang, Good] as WorkerDefinition<never>[]);
    for (let i = 0; i < 6; i++) await verk.enqueue({ class: "Hang", queue: "q" });
    for (let i = 0; i < 4; i++) await verk.enqueue({ class: "Good", queue: "q" });
    await until(() => ok === 4 && store.sets.retry.size === 6);
    expect(aborted).toHaveLength(6);
    for (const job of retried(store)) expect(job.error_message).toMatch(/timed? ?out|timeout/i);
    expect(verk.queues()[0]).toMatchObject({ running: 0, concurrency: 2 });
    expect(store.list(MemoryStore.inProgressKey("q", verk.nodeId))).toEqual([]);
  });

  it("fails the job whose callback throws (setTimeout) instead of crashing the process", async () => {
    await withoutTestRunnerListeners(async () => {
      const store = new MemoryStore();
      let ok = 0;
      const Cb = defineWorker(
        "Cb",
        () =>
          new Promise<void>(() => {
            setTimeout(() => {
              throw new Error("thrown in a timer");
            }, 5);
          }),
        { queue: "q" },
      );
      const Rej = defineWorker(
        "Rej",
        () =>
          new Promise<void>(() => {
            setTimeout(() => {
              void Promise.reject(new Error("rejected in a timer"));
            }, 5);
          }),
        { queue: "q" },
      );
      const Good = defineWorker(
        "Good",
        () => {
          ok++;
        },
        { queue: "q" },
      );
      const verk = await startNode(store, [Cb, Rej, Good] as WorkerDefinition<never>[]);
      await verk.enqueue({ class: "Cb", queue: "q" });
      await verk.enqueue({ class: "Rej", queue: "q" });
      await verk.enqueue({ class: "Good", queue: "q" });
      await until(() => ok === 1 && store.sets.retry.size === 2);
      const messages = retried(store).map((job) => job.error_message);
      expect(messages.sort()).toEqual(["rejected in a timer", "thrown in a timer"]);
      await until(() => verk.runningJobs().length === 0);
      await verk.stop();
      expect(process.listenerCount("uncaughtException")).toBe(0);
    });
  });

  it("still crashes on an uncaught error that belongs to no job", () => {
    // Runs the built package (turbo builds it before the tests).
    const fixture = fileURLToPath(new URL("./fixtures/stray-throw.mjs", import.meta.url));
    const result = spawnSync(process.execPath, [fixture], { encoding: "utf8", timeout: 15_000 });
    expect(result.stdout).not.toContain("still alive");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("stray error outside any job");
  });

  it("contains event listeners that throw", async () => {
    const store = new MemoryStore();
    let ok = 0;
    const Good = defineWorker(
      "Good",
      () => {
        ok++;
      },
      { queue: "q" },
    );
    const verk = createVerk({
      store,
      queues: { q: 1 },
      workers: [Good],
      fetchBlockMs: 50,
      pollIntervalMs: 0,
      logger: silent,
    });
    running.push(verk);
    verk.on("job:started", () => {
      throw new Error("listener bug");
    });
    verk.on("job:finished", () => {
      throw "listener string";
    });
    await verk.start();
    await verk.enqueue({ class: "Good", queue: "q" });
    await verk.enqueue({ class: "Good", queue: "q" });
    await until(() => ok === 2);
    await wait(20);
    expect(store.list(MemoryStore.inProgressKey("q", verk.nodeId))).toEqual([]);
  });
});

describe("store outages", () => {
  it("retries an ack and a failure until they land, each applied once, in order", async () => {
    const store = new MemoryStore();
    let ackFailures = 3;
    let failFailures = 2;
    const ack = store.ack.bind(store);
    const fail = store.fail.bind(store);
    const acks: boolean[] = [];
    store.ack = async (...args) => {
      if (ackFailures-- > 0) throw new Error("connection lost");
      const done = await ack(...args);
      acks.push(done);
      return done;
    };
    store.fail = async (...args) => {
      if (failFailures-- > 0) throw new Error("connection lost");
      return fail(...args);
    };
    const errors: unknown[] = [];
    const Good = defineWorker("Good", () => {}, { queue: "q" });
    const Bad = defineWorker(
      "Bad",
      () => {
        throw new Error("nope");
      },
      { queue: "q" },
    );
    const verk = createVerk({
      store,
      queues: { q: 1 },
      workers: [Good, Bad],
      fetchBlockMs: 50,
      pollIntervalMs: 0,
      logger: silent,
    });
    running.push(verk);
    verk.on("error", (event) => {
      errors.push(event);
    });
    await verk.start();
    await verk.enqueue({ class: "Good", queue: "q" });
    await verk.enqueue({ class: "Bad", queue: "q" });
    await until(() => acks.length === 1 && store.sets.retry.size === 1, 10_000);
    expect(acks).toEqual([true]);
    expect(errors).toHaveLength(5);
    expect(store.list(MemoryStore.inProgressKey("q", verk.nodeId))).toEqual([]);
    expect(retried(store)).toHaveLength(1);
  });
});

describe("bad input", () => {
  it.each([
    ["invalid JSON", "{not json", /malformed payload/],
    ["no class", '{"args":[],"jid":"x","queue":"q"}', /class/],
    ["non-array args", '{"class":"Good","args":"1","jid":"x","queue":"q"}', /args/],
    [
      "a huge payload",
      `{"class":"Good","args":["${"x".repeat(5_000)}"],"jid":"x","queue":"q"}`,
      /over maxFetchPayloadBytes \(4096\)/,
    ],
  ])(
    "moves %s to the dead set with its raw bytes, counts it failed, and goes on",
    async (_name, raw, message) => {
      const store = new MemoryStore();
      let ok = 0;
      const Good = defineWorker(
        "Good",
        () => {
          ok++;
        },
        { queue: "q" },
      );
      const malformed: unknown[] = [];
      store.list("queue:q").unshift(raw);
      const verk = createVerk({
        store,
        queues: { q: 1 },
        workers: [Good],
        fetchBlockMs: 50,
        pollIntervalMs: 0,
        logger: silent,
        maxFetchPayloadBytes: 4_096,
      });
      running.push(verk);
      verk.on("job:malformed", (event) => {
        malformed.push(event);
      });
      await verk.start();
      await verk.enqueue({ class: "Good", queue: "q" });
      await until(() => ok === 1 && store.sets.dead.size === 1);
      const [entry] = dead(store);
      expect(entry!.raw_payload).toBe(raw);
      expect(String(entry!.error_message)).toMatch(message);
      expect(malformed).toHaveLength(1);
      expect(store.list("queue:q")).toEqual([]);
    },
  );

  it("rejects an oversized job at enqueue with PAYLOAD_TOO_LARGE and writes nothing", async () => {
    const store = new MemoryStore();
    const verk = createVerk({ store, maxPayloadBytes: 1_000, logger: silent });
    await expect(verk.enqueue({ class: "W", queue: "q", args: ["x".repeat(2_000)] })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    expect(store.list("queue:q")).toEqual([]);
  });

  it.each(["a:b", "{braces}", "with space", "ünïcødé-队列-🚀"])(
    "round-trips queue %j and unicode args",
    async (queue) => {
      const store = new MemoryStore();
      const seen: unknown[][] = [];
      const W = defineWorker("W", (...args: unknown[]) => {
        seen.push(args);
      });
      const verk = createVerk({
        store,
        queues: { [queue]: 1 },
        workers: [W],
        fetchBlockMs: 50,
        pollIntervalMs: 0,
        logger: silent,
      });
      running.push(verk);
      await verk.start();
      const args = ["héllo wörld", "日本語", "🚀🔥", { ключ: "значение" }, "\u0000\u2028"];
      await verk.enqueue({ class: "W", queue, args });
      await until(() => seen.length === 1);
      expect(seen[0]).toEqual(args);
    },
  );
});

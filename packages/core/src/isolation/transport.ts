import { type ChildProcess, fork } from "node:child_process";
import { Worker } from "node:worker_threads";
import type { IsolationResourceLimits } from "./options.js";
import type { InitData, OrderBatch, WorkerMessage } from "./protocol.js";

/** How a thread or process ended. @internal */
export interface ExitInfo {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  /** Signal that killed a process (`"SIGABRT"`, ...), else null. */
  readonly signal: string | null;
  /** A thread's `error` event (uncaught error, `ERR_WORKER_OUT_OF_MEMORY`), if any. */
  readonly error: (Error & { code?: string }) | undefined;
  /** The last few KiB a process wrote to stderr (to recognise V8's out-of-memory message). */
  readonly stderrTail: string;
}

/** What a transport reports. @internal */
export interface TransportEvents {
  message(message: WorkerMessage): void;
  exit(info: ExitInfo): void;
}

/** One thread or child process, seen as a message pipe. @internal */
export interface Transport {
  readonly kind: "thread" | "process";
  post(batch: OrderBatch): void;
  /** Kill it now (a thread's JS stops at once; a process gets SIGKILL). */
  terminate(): void;
}

/** Start a thread or process running `entry` (the built `isolation-worker.js`). @internal */
export function spawnTransport(
  entry: string,
  init: InitData,
  limits: IsolationResourceLimits,
  events: TransportEvents,
): Transport {
  return init.mode === "thread"
    ? threadTransport(entry, init, limits, events)
    : processTransport(entry, init, limits, events);
}

function threadTransport(
  entry: string,
  init: InitData,
  limits: IsolationResourceLimits,
  events: TransportEvents,
): Transport {
  const worker = new Worker(entry, { workerData: init, resourceLimits: { ...limits } });
  let error: (Error & { code?: string }) | undefined;
  worker.on("message", (message: WorkerMessage) => events.message(message));
  worker.on("error", (e: Error) => {
    error ??= e;
  });
  worker.on("exit", (code) => events.exit({ code, signal: null, error, stderrTail: "" }));
  return {
    kind: "thread",
    post: (batch) => worker.postMessage(batch),
    terminate: () => {
      void worker.terminate();
    },
  };
}

/** Node flags of a child process for `limits`, after the parent's (minus memory and inspector flags). */
export function processExecArgv(limits: IsolationResourceLimits): string[] {
  const inherited = process.execArgv.filter(
    (arg) => !/^--(max-old-space-size|max-semi-space-size|stack-size|inspect|cpu-prof)/.test(arg),
  );
  const own: string[] = [];
  if (limits.maxOldGenerationSizeMb)
    own.push(`--max-old-space-size=${Math.ceil(limits.maxOldGenerationSizeMb)}`);
  if (limits.maxYoungGenerationSizeMb)
    own.push(`--max-semi-space-size=${Math.max(1, Math.ceil(limits.maxYoungGenerationSizeMb / 3))}`);
  if (limits.stackSizeMb) own.push(`--stack-size=${Math.ceil(limits.stackSizeMb * 1024)}`);
  return [...inherited, ...own];
}

function processTransport(
  entry: string,
  init: InitData,
  limits: IsolationResourceLimits,
  events: TransportEvents,
): Transport {
  const child: ChildProcess = fork(entry, [JSON.stringify(init)], {
    execArgv: processExecArgv(limits),
    stdio: ["ignore", "inherit", "pipe", "ipc"],
    serialization: "json",
  });
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString("utf8")).slice(-4096);
  });
  let spawnError: Error | undefined;
  child.on("error", (e) => {
    spawnError ??= e;
  });
  child.on("message", (message: WorkerMessage) => events.message(message));
  // `close` comes after `exit` and after stderr is drained, so the tail is complete.
  child.on("close", (code, signal) => events.exit({ code, signal, error: spawnError, stderrTail: tail }));
  return {
    kind: "process",
    post: (batch) => {
      if (child.connected) child.send(batch);
    },
    terminate: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

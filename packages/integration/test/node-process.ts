import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { until } from "@verk/test-redis/vitest";
import { afterEach } from "vitest";

const SCRIPT = fileURLToPath(new URL("./fixtures/node-process.mjs", import.meta.url));

/** One JSON line a node process printed (see `fixtures/node-process.mjs`). */
export interface NodeLine {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** A Verk node running in a child process. */
export interface NodeProcess {
  readonly child: ChildProcess;
  /** Every line printed so far. */
  readonly lines: NodeLine[];
  /** Wait (bounded) for a line matching `match`; resolves it. */
  waitFor(match: (line: NodeLine) => boolean, what: string, timeoutMs?: number): Promise<NodeLine>;
  /** Resolves the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | string>;
}

const running = new Set<ChildProcess>();
afterEach(async () => {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
  running.clear();
});

/**
 * Start `fixtures/node-process.mjs` with `env` (VERK_URL, VERK_NODE_ID, ...) and `execArgv`
 * (e.g. `--import` of a preload); it is SIGKILLed after the test if still running.
 */
export function startNodeProcess(env: Record<string, string>, execArgv: string[] = []): NodeProcess {
  const child = spawn(process.execPath, [...execArgv, SCRIPT], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  running.add(child);
  const lines: NodeLine[] = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (text.trim() !== "") lines.push(JSON.parse(text) as NodeLine);
      newline = buffer.indexOf("\n");
    }
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? "?");
    }),
  );
  return {
    child,
    lines,
    exited,
    async waitFor(match, what, timeoutMs = 10_000) {
      await until(() => lines.some(match), timeoutMs, what);
      return lines.find(match)!;
    },
  };
}

/**
 * The keep-alive thread of a Verk node on Redis (started by core's liveness policy, see
 * `NodesCapability.keepAlive`): while the main event loop is blocked (it stopped turning for
 * 200 ms and no beat came for a heartbeat) but for less than `maxBlockMs`, it extends the node's
 * heartbeat TTL (`PEXPIRE`, to the full TTL) from its own connection on every check (a quarter
 * heartbeat), so a long synchronous handler does not get a live node declared dead.
 * Not part of the public API.
 * @packageDocumentation
 */
import { parentPort, workerData } from "node:worker_threads";
import type { KeepAliveWorkerData } from "@verk/core";
import { type ConnectionSpec, connectFromSpec } from "./client.js";

interface KeepAliveData {
  readonly connection: ConnectionSpec;
  /** Keys whose TTL to extend (the heartbeat, and per-queue alive markers in the cluster layout). */
  readonly keys: readonly string[];
  readonly ttlMs: number;
}

/**
 * The main event loop counts as blocked once its progress counter (bumped every 100 ms) has not
 * moved for this long, in ms. Small, so the first extension comes while most of the TTL is left.
 */
const STALLED_MS = 200;

const input = workerData as KeepAliveWorkerData;
const slots = new Int32Array(input.shared);
let data = input.spec as KeepAliveData;
const client = connectFromSpec(data.connection);
client.on("error", () => {});
// Tell the main thread this thread can extend the heartbeat from now on (it waits for this, bounded).
client.once("ready", () => parentPort?.postMessage({ ready: true }));
let lastCounter = Atomics.load(slots, 0);
let lastProgress = Date.now();
let stopped = false;

async function check(): Promise<void> {
  if (stopped) return;
  if (Atomics.load(slots, 2) === 1) return stop();
  const now = Date.now();
  const counter = Atomics.load(slots, 0);
  if (counter !== lastCounter) {
    lastCounter = counter;
    lastProgress = now;
  }
  const lastBeat = input.base + Atomics.load(slots, 1);
  if (now - lastBeat < input.heartbeatMs) return; // the main thread beats on time
  // Extend only for a main thread that is blocked (its event loop stopped turning): one that
  // turns but does not beat (e.g. it cannot reach Redis) is left alone.
  const stalledMs = now - lastProgress;
  if (stalledMs < STALLED_MS) return;
  if (stalledMs > input.maxBlockMs) return; // wedged past the limit: let the node be recovered
  await Promise.all(data.keys.map((key) => client.pexpire(key, data.ttlMs))).catch(() => {});
}

const timer = setInterval(() => void check(), Math.max(25, Math.floor(input.heartbeatMs / 4)));

function stop(): void {
  if (stopped) return;
  stopped = true;
  clearInterval(timer);
  client.disconnect();
  parentPort?.close();
}

parentPort?.on("message", (message: { stop?: boolean; spec?: KeepAliveData }) => {
  if (message.stop) stop();
  else if (message.spec) data = message.spec;
});

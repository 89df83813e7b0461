import type { Redis } from "ioredis";
import { scripts } from "./generated/scripts.js";

/** The names of the Lua scripts in `lua/`. */
export type ScriptName =
  | "ack"
  | "claim-blocked"
  | "fail"
  | "fetch"
  | "forget-node"
  | "lease"
  | "once-push"
  | "promote"
  | "recover"
  | "recover-dead"
  | "requeue";

type ScriptFunction = (...args: (string | number | Buffer)[]) => Promise<unknown>;

/** The ioredis command name a script is registered under (prefixed so it cannot clash). */
function commandName(name: string): string {
  return `verk_${name.replace(/-/g, "_")}`;
}

/**
 * Register every Lua script on `redis` with `defineCommand` (ioredis then uses EVALSHA and
 * falls back to EVAL on NOSCRIPT). Safe to call more than once per connection.
 */
export function defineScripts(redis: Redis): void {
  for (const script of scripts) {
    const command = commandName(script.name);
    if (typeof (redis as unknown as Record<string, unknown>)[command] === "function") continue;
    redis.defineCommand(command, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
}

/**
 * Run script `name` on `redis` (which must have gone through {@link defineScripts}).
 * @param keys - exactly the script's KEYS, in order.
 * @param args - its ARGV.
 */
export function runScript(
  redis: Redis,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
): Promise<unknown> {
  const fn = (redis as unknown as Record<string, ScriptFunction>)[commandName(name)];
  if (fn === undefined) return Promise.reject(new Error(`Lua script ${name} is not registered`));
  return fn.call(redis, ...keys, ...args);
}

/**
 * Like {@link runScript}, but every bulk string of the reply is a `Buffer` of the exact bytes
 * stored (ioredis' `<command>Buffer` variant): for replies carrying payloads.
 */
export function runScriptBuffer(
  redis: Redis,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
): Promise<unknown> {
  const fn = (redis as unknown as Record<string, ScriptFunction>)[`${commandName(name)}Buffer`];
  if (fn === undefined) return Promise.reject(new Error(`Lua script ${name} is not registered`));
  return fn.call(redis, ...keys, ...args);
}

/**
 * Format epoch seconds for Redis and for payloads, always with a fractional part
 * (`1764265302` → `"1764265302.0"`), never in exponent notation, at full double precision.
 */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) throw new RangeError(`not a finite number of seconds: ${seconds}`);
  if (Number.isInteger(seconds)) return `${seconds}.0`;
  const text = String(seconds);
  if (!/e/i.test(text)) return text;
  return seconds.toFixed(6);
}

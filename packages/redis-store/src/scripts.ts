import type { RedisClient } from "./client.js";
import { scripts } from "./generated/scripts.js";

/** The names of the Lua scripts in `lua/`. */
export type ScriptName =
  | "ack"
  | "claim-blocked"
  | "fail"
  | "fetch"
  | "fetch-limited"
  | "flow-expire"
  | "forget-node"
  | "lease"
  | "limit-admit"
  | "limit-release"
  | "limit-renew"
  | "move-entries"
  | "node-beat"
  | "once-push"
  | "promote"
  | "push"
  | "recover"
  | "recover-peer"
  | "register-node"
  | "requeue"
  | "unique-push"
  | "unique-release"
  | "unique-schedule";

type ScriptFunction = (...args: (string | number | Buffer)[]) => Promise<unknown>;

const byName = new Map(scripts.map((script) => [script.name, script]));

/** The ioredis command name a script is registered under (prefixed so it cannot clash). */
function commandName(name: string): string {
  return `verk_${name.replace(/-/g, "_")}`;
}

/**
 * The ioredis command names of the scripts whose key count varies per call. On a Redis Cluster
 * they must bypass auto-pipelining, which routes a command by its first argument (for these, the
 * key count): `autoPipeliningIgnoredCommands`.
 */
export const VARIABLE_KEY_COMMANDS: readonly string[] = scripts
  .filter((script) => script.numberOfKeys === null)
  .map((script) => commandName(script.name));

/** How {@link defineScripts} registers the scripts. */
export interface ScriptMode {
  /**
   * Add each script's Redis 7 flags (`#!lua flags=allow-oom`): true once the server is known to
   * be Redis >= 7 (Redis 6.2 cannot parse the line). (Default: false)
   */
  readonly flags: boolean;
}

/** The source a script is registered with: with its `#!lua flags=...` line when `mode.flags`. */
export function scriptSource(script: (typeof scripts)[number], mode: ScriptMode): string {
  return mode.flags && script.flags.length > 0
    ? `#!lua flags=${script.flags.join(",")}\n${script.lua}`
    : script.lua;
}

/**
 * Register every Lua script on `redis` with `defineCommand` (ioredis then uses EVALSHA and
 * falls back to EVAL on NOSCRIPT). Registering again replaces the definitions (e.g. with flags
 * once the server version is known); without a change it does nothing.
 */
export function defineScripts(redis: RedisClient, mode: ScriptMode = { flags: false }): void {
  const registry = redis as unknown as Record<string, unknown> & { __verkScriptFlags?: boolean };
  if (registry.__verkScriptFlags === mode.flags) return;
  registry.__verkScriptFlags = mode.flags;
  for (const script of scripts) {
    const lua =
      mode.flags && script.flags.length > 0
        ? `#!lua flags=${script.flags.join(",")}\n${script.lua}`
        : script.lua;
    redis.defineCommand(commandName(script.name), {
      ...(script.numberOfKeys === null ? {} : { numberOfKeys: script.numberOfKeys }),
      lua,
    });
  }
}

function argsOf(name: ScriptName, keys: readonly string[], args: readonly (string | number | Buffer)[]) {
  const script = byName.get(name);
  if (script === undefined) throw new Error(`unknown Lua script ${name}`);
  return script.numberOfKeys === null ? [keys.length, ...keys, ...args] : [...keys, ...args];
}

/**
 * Run script `name` on `redis` (which must have gone through {@link defineScripts}).
 * @param keys - exactly the script's KEYS, in order (every key it touches).
 * @param args - its ARGV.
 */
export function runScript(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
): Promise<unknown> {
  const fn = (redis as unknown as Record<string, ScriptFunction>)[commandName(name)];
  if (fn === undefined) return Promise.reject(new Error(`Lua script ${name} is not registered`));
  return fn.call(redis, ...argsOf(name, keys, args));
}

/**
 * Like {@link runScript}, but every bulk string of the reply is a `Buffer` of the exact bytes
 * stored (ioredis' `<command>Buffer` variant): for replies carrying payloads.
 */
export function runScriptBuffer(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
): Promise<unknown> {
  const fn = (redis as unknown as Record<string, ScriptFunction>)[`${commandName(name)}Buffer`];
  if (fn === undefined) return Promise.reject(new Error(`Lua script ${name} is not registered`));
  return fn.call(redis, ...argsOf(name, keys, args));
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

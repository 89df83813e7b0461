import { VerkError } from "./errors.js";

/** A JSON primitive: what survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonPrimitive = string | number | boolean | null;

/** Any JSON value: a primitive, an array of JSON values, or a plain object of JSON values. */
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

/** Types that JSON cannot carry: they arrive as a string, `{}`, `null`, or not at all. */
type NotJson =
  | undefined
  | symbol
  | bigint
  | ((...args: never[]) => unknown)
  | Date
  | RegExp
  | Map<unknown, unknown>
  | Set<unknown>
  | WeakMap<object, unknown>
  | WeakSet<object>
  | Promise<unknown>
  | ArrayBuffer
  | ArrayBufferView
  | Error;

/**
 * `T` when it is JSON-compatible, else `T` with its non-JSON parts replaced by `never`. Accepts
 * interfaces (which `JsonValue`'s index signature would refuse), optional properties (left out
 * when absent), `unknown`, recursive types and readonly arrays. Used to check handler parameters.
 */
export type JsonCompatible<T> = unknown extends T
  ? T
  : [T] extends [JsonValue]
    ? T
    : T extends JsonPrimitive
      ? T
      : T extends NotJson
        ? never
        : T extends readonly unknown[]
          ? { [K in keyof T]: JsonCompatible<T[K]> }
          : T extends object
            ? { [K in keyof T]: JsonCompatible<T[K]> }
            : never;

/**
 * `unknown` (no constraint) when every type in the argument tuple `A` is JSON-compatible, else an
 * object type whose only key explains the problem, so that the compiler error names it.
 */
export type JsonArgsCheck<A extends unknown[]> = [A] extends [JsonCompatible<A>]
  ? unknown
  : {
      "job arguments must be JSON values (string, finite number, boolean, null, arrays and plain objects of them); Date, Map, Set, functions, bigint and undefined are not": never;
    };

/**
 * Deepest nesting of arrays and objects accepted inside `args` (and extra job fields). Deeper
 * (or circular) values are rejected, so every payload stays readable by Redis' Lua JSON decoder
 * (limit 1,000 levels) and by `JSON.stringify` on every later step.
 */
export const MAX_JSON_DEPTH = 500;

/**
 * Throw `INVALID_JOB` when `value` is not plain JSON: `undefined` (outside an object property),
 * a non-finite number, a bigint, symbol or function, an object that is not a plain object or
 * array (`Date`, `Map`, class instances, buffers, ...), or nesting deeper than
 * {@link MAX_JSON_DEPTH}. The message names the first offending path, e.g.
 * `args[1].when: Date is not a JSON value`. Object properties set to `undefined` are allowed:
 * JSON leaves them out, and the handler reads `undefined` for them either way.
 *
 * One walk of the value; the path is only built once a problem was found.
 * @param field - the name of `value` in the message and in the error's `field`, e.g. `"args"`.
 */
export function assertJsonValue(value: unknown, field: string): void {
  if (isJson(value, 0)) return;
  const problem = findProblem(value, field, 0, new Set());
  throw new VerkError("INVALID_JOB", `invalid job: ${problem.path}: ${problem.reason}`, {
    field: problem.path,
  });
}

function isJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          if (!isJson(item, depth + 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (item !== undefined && !isJson(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

interface Problem {
  readonly path: string;
  readonly reason: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function findProblem(value: unknown, path: string, depth: number, seen: Set<object>): Problem {
  const reason = describeNonJson(value);
  if (reason !== undefined) return { path, reason };
  if (typeof value !== "object" || value === null) return { path, reason: "not a JSON value" };
  if (seen.has(value)) return { path, reason: "circular (the value contains itself)" };
  if (depth >= MAX_JSON_DEPTH) {
    return { path, reason: `nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects` };
  }
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const at = `${path}[${i}]`;
      if (!isJson(item, depth + 1)) return findProblem(item, at, depth + 1, seen);
    }
  } else {
    for (const key in value) {
      const item = (value as Record<string, unknown>)[key];
      const at = IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (item !== undefined && !isJson(item, depth + 1)) return findProblem(item, at, depth + 1, seen);
    }
  }
  seen.delete(value);
  return { path, reason: "not a JSON value" };
}

/** Why JSON cannot carry `value`, or `undefined` for arrays, plain objects and valid primitives. */
function describeNonJson(value: unknown): string | undefined {
  switch (typeof value) {
    case "undefined":
      return "undefined is not a JSON value (it would become null or vanish)";
    case "number":
      return Number.isFinite(value) ? undefined : `${value} is not a JSON value (it would become null)`;
    case "bigint":
      return "a bigint is not a JSON value (pass it as a string)";
    case "symbol":
      return "a symbol is not a JSON value";
    case "function":
      return "a function is not a JSON value";
    case "object": {
      if (value === null || Array.isArray(value)) return undefined;
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return undefined;
      const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
      if (value instanceof Date)
        return "Date is not a JSON value (pass date.toISOString() or date.getTime())";
      if (value instanceof Map || value instanceof Set)
        return `${value instanceof Map ? "Map" : "Set"} is not a JSON value (pass a plain object or an array)`;
      const what = typeof name === "string" && name.length > 0 ? name : "an object with a prototype";
      return `${what} is not a JSON value (only plain objects and arrays are)`;
    }
    default:
      return undefined;
  }
}

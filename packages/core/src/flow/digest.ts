import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level, so equal values give equal text whatever the
 * order their keys were written in. Only JSON values reach it (args are validated first).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
}

/**
 * The digest that names a unique job's lock: SHA-256 of the class, the queue and the canonical JSON
 * of `key` (the job's args, or what its `unique.key` returned), as 32 lowercase hex characters
 * (128 bits). Equal jobs give equal digests on every node and in every process.
 */
export function uniqueDigest(className: string, queue: string, key: unknown): string {
  return createHash("sha256")
    .update(canonicalJson([className, queue, key]))
    .digest("hex")
    .slice(0, 32);
}

import { VerkError } from "./errors.js";

/**
 * Edit distance between two short strings (Levenshtein, insertions, deletions and substitutions
 * cost 1; a swap of two neighbours costs 1 as well). Used for "did you mean" hints.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The entry of `candidates` closest to `name`, when it is close enough to be a likely typo
 * (distance at most a third of the longer name, at least 1, case-insensitive), else `undefined`.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(name.length, best.length) / 3));
  return bestDistance <= allowed ? best : undefined;
}

/**
 * Throw `INVALID_OPTION` when `value` (a plain options object) has a key that is not in `known`,
 * naming the key, where it was found, and the closest known key. `undefined` values count too:
 * a misspelt option set to `undefined` is still a misspelling.
 *
 * @param value - the options object (anything else is ignored; type checks are the caller's job).
 * @param known - every accepted key.
 * @param where - how to name the object in the message, e.g. `"createVerk"` or `"queues.images"`.
 * @throws VerkError `INVALID_OPTION` with `field` = the dotted path of the unknown key.
 * @example
 * assertKnownKeys(options, ["url", "namespace"], "redisStore");
 * // VerkError: invalid option "redisStore.nmespace": unknown option (did you mean "namespace"?)
 */
export function assertKnownKeys(value: unknown, known: readonly string[], where: string): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const hint = closestName(key, known);
    const field = where ? `${where}.${key}` : key;
    throw new VerkError(
      "INVALID_OPTION",
      `invalid option "${field}": unknown option${hint ? ` (did you mean "${hint}"?)` : ""}; known options: ${known.join(", ")}`,
      { field },
    );
  }
}

/** Measurements of the flow-control tests. */

/** The most entries of sorted `times` within any window of `windowMs` (half-open: [t, t + windowMs)). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Most intervals of `spans` ([start, end]) open at one instant. */
export function maxOverlap(spans: readonly (readonly [number, number])[]): number {
  const edges = spans.flatMap(([s, e]) => [
    [s, 1],
    [e, -1],
  ]);
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let best = 0;
  for (const [, d] of edges) {
    open += d!;
    best = Math.max(best, open);
  }
  return best;
}

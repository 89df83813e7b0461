/** Integer with thousands separators (`12,345`). */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A short duration from seconds: `45s`, `3m 12s`, `2h 5m`, `3d 4h`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** Milliseconds as `850 ms`, `1.2 s`, `3m 4s`. */
export function ms(value: number): string {
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(1)} s`;
  return duration(value / 1000);
}

/** `2026-01-02 03:04:05Z` of epoch ms. */
export function isoTime(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs <= 0) return "-";
  return `${new Date(epochMs).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** `3m 12s ago` / `in 5m 0s` relative to `nowMs`. */
export function relative(epochMs: number, nowMs: number = Date.now()): string {
  if (!Number.isFinite(epochMs) || epochMs <= 0) return "-";
  const diff = (epochMs - nowMs) / 1000;
  return diff >= 0 ? `in ${duration(diff)}` : `${duration(-diff)} ago`;
}

/** Bytes as `1.5 MB`. */
export function bytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** `12.5%` of a 0..1 ratio. */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.1 ? 2 : 1)}%`;
}

/** At most `max` characters, with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

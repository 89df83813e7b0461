/**
 * Output helpers: colours (picocolors), tables (cli-table3), display widths (string-width),
 * durations and times.
 */
import { stripVTControlCharacters } from "node:util";
import Table from "cli-table3";
import { createColors } from "picocolors";
import stringWidth from "string-width";

/** `text` without ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text);
}

/** Printable width of `text` in terminal columns (ANSI sequences excluded; wide CJK and emoji count 2). */
export function width(text: string): number {
  return stringWidth(text);
}

/** Colour functions; identity functions when colour is off. */
export interface Palette {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/**
 * Colour only on a TTY, never when `NO_COLOR` is set (any value, https://no-color.org) or
 * `--no-color` was given.
 */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag: boolean): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && flag;
}

/** A {@link Palette} (picocolors; nested colours restore the outer one), coloured when `enabled`. */
export function palette(enabled: boolean): Palette {
  const c = createColors(enabled);
  return { enabled, bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, cyan: c.cyan };
}

/** A column of {@link table}: header and alignment. */
export interface Column {
  readonly header: string;
  readonly align?: "left" | "right";
}

const NO_BORDERS = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "  ",
};

/**
 * A plain-text table (cli-table3, no borders, two spaces between columns) with a header row
 * (bold when `p` colours); cells may contain ANSI colours and wide characters.
 */
export function table(columns: readonly Column[], rows: readonly string[][], p?: Palette): string {
  const t = new Table({
    head: columns.map((c) => (p ? p.bold(c.header) : c.header)),
    chars: NO_BORDERS,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0, compact: true },
    colAligns: columns.map((c) => c.align ?? "left"),
  });
  for (const row of rows) t.push(columns.map((_, i) => row[i] ?? ""));
  return t
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

/** A duration in seconds as `0s`, `45s`, `3m 12s`, `2h 5m`, `3d 4h`; under 10 s with one decimal. */
export function formatDuration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 10) return `${s < 0.05 ? 0 : Math.round(s * 10) / 10}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const total = Math.round(s);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3_600);
  const m = Math.floor((total % 3_600) / 60);
  const sec = total % 60;
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return sec > 0 ? `${m}m ${sec}s` : `${m}m`;
}

/** `epochMs` relative to `nowMs`: `in 3m 12s`, `3m 12s ago` or `now`. */
export function relative(epochMs: number, nowMs: number = Date.now()): string {
  const delta = (epochMs - nowMs) / 1000;
  if (Math.abs(delta) < 1) return "now";
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(delta)} ago`;
}

/** `epochMs` as `YYYY-MM-DD HH:MM:SSZ` (UTC). */
export function absolute(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return "-";
  return new Date(epochMs)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
}

/** Both: `3m 12s ago (2025-11-27 18:03:12Z)`. */
export function when(epochMs: number | undefined, nowMs: number = Date.now()): string {
  if (epochMs === undefined || !Number.isFinite(epochMs) || epochMs <= 0) return "-";
  return `${relative(epochMs, nowMs)} (${absolute(epochMs)})`;
}

/** A number with thousands separators: `12,345`. */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** `text` cut to `max` characters with `…`. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}

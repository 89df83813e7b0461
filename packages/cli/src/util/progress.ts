import type { Palette } from "./format.js";

/** A progress bar drawn in place on a TTY (stderr); silent elsewhere. */
export interface ProgressBar {
  update(done: number, total: number): void;
  finish(): void;
}

/** A bar `label [#####-----] 50% 500/1,000` redrawn at most every 50 ms; a no-op when `stream` is not a TTY. */
export function progressBar(
  stream: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown; columns?: number },
  label: string,
  p: Palette,
): ProgressBar {
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  let last = 0;
  let drawn = false;
  const draw = (done: number, total: number) => {
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const cols = Math.max(
      10,
      Math.min(40, ((stream as { columns?: number }).columns ?? 80) - label.length - 30),
    );
    const filled = Math.round(ratio * cols);
    const bar = p.green("█".repeat(filled)) + p.dim("░".repeat(cols - filled));
    stream.write(`\r${label} ${bar} ${String(Math.round(ratio * 100)).padStart(3)}% ${done}/${total}\x1b[K`);
    drawn = true;
  };
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 50 && done < total) return;
      last = now;
      draw(done, total);
    },
    finish() {
      if (tty && drawn) stream.write("\n");
    },
  };
}

import type { ServerResponse } from "node:http";
import { SECURITY_HEADERS } from "./http/respond.js";
import type { SummaryCache } from "./summary.js";

/** Bounds of the live stream's interval, ms. */
export const LIVE_MIN_MS = 1_000;
export const LIVE_MAX_MS = 60_000;

/**
 * The open server-sent-event streams of a dashboard. Each sends a `summary` event (the totals of
 * the navigation and overview) at once and then every interval, until the browser goes away (the
 * page closes its stream while the tab is hidden) or the dashboard closes.
 */
export class LiveStreams {
  readonly #open = new Set<ServerResponse>();

  /** Start a stream on `res` with the interval `intervalMs` (clamped to 1–60 s). */
  open(res: ServerResponse, summary: SummaryCache, intervalMs: number): void {
    const every = Math.min(LIVE_MAX_MS, Math.max(LIVE_MIN_MS, Math.floor(intervalMs) || 5_000));
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write(`retry: ${every}\n\n`);
    this.#open.add(res);
    let sending = false;
    const send = () => {
      if (sending || res.writableEnded) return;
      sending = true;
      summary.get().then(
        (value) => {
          sending = false;
          if (!res.writableEnded) res.write(`event: summary\ndata: ${JSON.stringify(value)}\n\n`);
        },
        (error: unknown) => {
          sending = false;
          const message = error instanceof Error ? error.message : String(error);
          if (!res.writableEnded) res.write(`event: problem\ndata: ${JSON.stringify({ message })}\n\n`);
        },
      );
    };
    send();
    const timer = setInterval(send, every);
    timer.unref?.();
    const done = () => {
      clearInterval(timer);
      this.#open.delete(res);
    };
    res.on("close", done);
  }

  /** How many streams are open. */
  get size(): number {
    return this.#open.size;
  }

  /** End every stream. */
  closeAll(): void {
    for (const res of [...this.#open]) res.end();
    this.#open.clear();
  }
}

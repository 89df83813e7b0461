import type { RequestContext } from "../context.js";
import { html, type SafeHtml } from "../html/escape.js";
import { duration, isoTime, relative } from "../html/format.js";
import { page } from "../html/layout.js";
import { table } from "../html/widgets.js";

/** A periodic job as `@verk/scheduler` records it in the cron registry (times in epoch ms). */
interface CronRecord {
  name?: unknown;
  pattern?: unknown;
  timezone?: unknown;
  every?: unknown;
  class?: unknown;
  queue?: unknown;
  nextRun?: unknown;
  lastRun?: unknown;
  lastNode?: unknown;
  updatedAt?: unknown;
}

function parse(text: string): CronRecord | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" ? (v as CronRecord) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** `GET /cron`: the scheduler's periodic jobs (read-only), with next and last run. */
export async function cronPage(ctx: RequestContext): Promise<SafeHtml> {
  const registry = ctx.services.store.capabilities.cronRegistry;
  const [summary, entries] = await Promise.all([ctx.services.summary.get(), registry.all()]);
  const now = Date.now();
  const at = (ms: number | undefined) =>
    ms === undefined ? "-" : html`${relative(ms, now)}<br><span class="muted small">${isoTime(ms)}</span>`;
  const rows = Object.entries(entries)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, text]) => {
      const r = parse(text);
      if (!r) return html`<tr><td>${name}</td><td colspan="6" class="muted">unreadable entry</td></tr>`;
      const every = num(r.every);
      const schedule =
        every !== undefined
          ? `every ${duration(every / 1000)}`
          : `${str(r.pattern)} (${str(r.timezone) || "UTC"})`;
      return html`<tr><td><strong>${name}</strong></td><td><code>${schedule}</code></td><td>${str(r.class)}</td>
<td>${str(r.queue)}</td><td>${at(num(r.nextRun))}</td><td>${at(num(r.lastRun))}</td><td>${str(r.lastNode) || "-"}</td></tr>`;
    });
  const body = html`<h1>Cron</h1>
${table(["Name", "Schedule", "Class", "Queue", "Next run", "Last run", "Last node"], rows, "No periodic jobs registered. Periodic jobs of @verk/scheduler appear here once a node with them has started.")}
<p class="muted">Read from the scheduler's registry; each tick is enqueued exactly once by one node.</p>`;
  return page(ctx, { title: "Cron", tab: "cron", body, counts: summary });
}

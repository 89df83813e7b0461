import { href, type RequestContext } from "../context.js";
import { type ChartSpec, chart } from "../html/chart.js";
import { html, type SafeHtml } from "../html/escape.js";
import { bytes, count, duration, relative } from "../html/format.js";
import { page } from "../html/layout.js";
import { stat, table } from "../html/widgets.js";

/** Ranges of the processed/failed chart: per minute from the metrics, per day from the history. */
export const RANGES: Readonly<Record<string, { label: string; minutes?: number; days?: number }>> = {
  "1h": { label: "1 hour", minutes: 60 },
  "8h": { label: "8 hours", minutes: 480 },
  "7d": { label: "1 week", days: 7 },
  "30d": { label: "1 month", days: 30 },
  "90d": { label: "3 months", days: 90 },
  "180d": { label: "6 months", days: 180 },
};

async function historyChart(ctx: RequestContext, range: string): Promise<ChartSpec> {
  const spec = RANGES[range] ?? RANGES["7d"]!;
  const { reader } = ctx.services;
  if (spec.minutes) {
    const m = await reader.jobMetrics({ minutes: spec.minutes });
    return {
      id: "history",
      title: `Processed and failed per minute, last ${spec.label}`,
      x: m.points.map((p) => p.minute / 1000),
      series: [
        { label: "processed", tone: "ok", values: m.points.map((p) => p.processed) },
        { label: "failed", tone: "bad", values: m.points.map((p) => p.failed) },
      ],
      unit: "jobs/min",
    };
  }
  const days = [...(await reader.history(spec.days))].reverse();
  return {
    id: "history",
    title: `Processed and failed per day (UTC), last ${spec.label}`,
    x: days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000),
    series: [
      { label: "processed", tone: "ok", values: days.map((d) => d.processed) },
      { label: "failed", tone: "bad", values: days.map((d) => d.failed) },
    ],
    unit: "jobs/day",
    bars: true,
  };
}

/** `GET /`: totals, the processed/failed chart, Redis, nodes. */
export async function overviewPage(ctx: RequestContext): Promise<SafeHtml> {
  const range = RANGES[ctx.query.get("range") ?? ""] ? ctx.query.get("range")! : "7d";
  const { admin } = ctx.services;
  const [summary, history, info, processes] = await Promise.all([
    ctx.services.summary.get(),
    historyChart(ctx, range),
    admin.serverInfo(),
    admin.processes(),
  ]);
  const now = Date.now();
  const ranges = Object.entries(RANGES).map(
    ([key, r]) =>
      html`<a class="${key === range ? "chip active" : "chip"}" href="${href(ctx, "/", { range: key })}">${r.label}</a>`,
  );
  const redisRows = [
    ["Version", info.version],
    ["Mode", info.mode],
    ["Uptime", duration(info.uptimeSeconds)],
    ["Clients", count(info.connectedClients)],
    ["Memory", bytes(info.usedMemory)],
    ["Peak memory", bytes(info.usedMemoryPeak)],
    ["Max memory", info.maxMemory ? `${bytes(info.maxMemory)} (${info.maxMemoryPolicy})` : "no limit"],
  ].map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`);
  const nodeRows = processes.map(
    (p) => html`<tr><td><a href="${href(ctx, "/nodes")}">${p.identity}</a></td><td>${p.queues.join(", ")}</td>
<td class="num">${count(p.busy)} / ${count(p.concurrency)}</td><td>${relative(p.beat * 1000, now)}</td>
<td>${p.quiet ? html`<span class="pill warn">quiet</span>` : html`<span class="pill ok">running</span>`}</td></tr>`,
  );
  const body = html`<h1>Overview</h1>
<section class="stats" aria-label="Totals">
${stat("Processed", summary.processed, "processed")}${stat("Failed", summary.failed, "failed", "bad")}
${stat("Busy", summary.busy, "busy")}${stat("Enqueued", summary.enqueued, "enqueued")}
${stat("Retries", summary.retries, "retries", "warn")}${stat("Scheduled", summary.scheduled, "scheduled")}
${stat("Dead", summary.dead, "dead", "bad")}${stat("Processes", summary.processes, "processes")}
</section>
<section class="card"><div class="chips" aria-label="Range">${ranges}</div>${chart(history)}</section>
<div class="grid2">
<section class="card"><h2>Redis</h2><table class="kv">${redisRows}</table></section>
<section class="card"><h2>Nodes</h2>${table(["Identity", "Queues", "Busy", "Beat", "State"], nodeRows, "No live nodes.", [2])}</section>
</div>`;
  return page(ctx, { title: "Overview", tab: "overview", body, counts: summary });
}

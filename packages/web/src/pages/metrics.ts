import type { MetricsGroup } from "@verk/stats";
import { href, type RequestContext } from "../context.js";
import { chart } from "../html/chart.js";
import { html, type SafeHtml } from "../html/escape.js";
import { count, ms, percent } from "../html/format.js";
import { page } from "../html/layout.js";
import { table } from "../html/widgets.js";

const WINDOWS: readonly [number, string][] = [
  [15, "15 min"],
  [60, "1 hour"],
  [180, "3 hours"],
  [480, "8 hours"],
];

function groupRows(groups: readonly MetricsGroup[], label: (g: MetricsGroup) => SafeHtml): SafeHtml[] {
  return groups.map(
    (
      g,
    ) => html`<tr><td>${label(g)}</td><td class="num">${count(g.processed)}</td><td class="num">${count(g.failed)}</td>
<td class="num">${percent(g.failureRate)}</td><td class="num">${ms(g.meanMs)}</td><td class="num">${ms(g.p50)}</td>
<td class="num">${ms(g.p95)}</td><td class="num">${ms(g.p99)}</td></tr>`,
  );
}

/** `GET /metrics`: throughput, failure rate and duration percentiles per minute, by queue and class. */
export async function metricsPage(ctx: RequestContext): Promise<SafeHtml> {
  const minutesParam = Number(ctx.query.get("minutes"));
  const minutes = WINDOWS.some(([m]) => m === minutesParam) ? minutesParam : 60;
  const queue = ctx.query.get("queue") || undefined;
  const className = ctx.query.get("class") || undefined;
  const [summary, m] = await Promise.all([
    ctx.services.summary.get(),
    ctx.services.reader.jobMetrics({
      minutes,
      ...(queue ? { queue } : {}),
      ...(className ? { className } : {}),
    }),
  ]);
  const x = m.points.map((p) => p.minute / 1000);
  const filterLink = (q: Record<string, unknown>) =>
    href(ctx, "/metrics", { minutes, queue, class: className, ...q });
  const windows = WINDOWS.map(
    ([value, label]) =>
      html`<a class="${value === minutes ? "chip active" : "chip"}" href="${filterLink({ minutes: value })}">${label}</a>`,
  );
  const select = (name: string, values: readonly string[], current: string | undefined, all: string) =>
    html`<select name="${name}" aria-label="${all}"><option value="">${all}</option>${values.map((v) => html`<option value="${v}"${v === current ? html` selected` : ""}>${v}</option>`)}</select>`;
  const body = html`<h1>Metrics</h1>
<div class="toolbar"><div class="chips">${windows}</div>
<form method="get" action="${href(ctx, "/metrics")}" class="filters">
<input type="hidden" name="minutes" value="${String(minutes)}">
${select("queue", m.queues, queue, "All queues")}${select("class", m.classes, className, "All classes")}
<button type="submit" class="btn">Show</button></form></div>
<div class="grid2">
<section class="card">${chart({
    id: "throughput",
    title: "Throughput (jobs per minute)",
    x,
    series: [
      { label: "processed", tone: "ok", values: m.points.map((p) => p.processed) },
      { label: "failed", tone: "bad", values: m.points.map((p) => p.failed) },
    ],
    unit: "jobs/min",
  })}</section>
<section class="card">${chart({
    id: "failure-rate",
    title: "Failure rate (%)",
    x,
    series: [
      {
        label: "failure rate",
        tone: "bad",
        values: m.points.map((p) =>
          p.processed > 0 ? Math.round((p.failed / p.processed) * 1000) / 10 : null,
        ),
      },
    ],
    unit: "%",
  })}</section>
</div>
<section class="card">${chart({
    id: "durations",
    title: "Duration of successful executions (ms)",
    x,
    series: [
      {
        label: "p50",
        tone: "ok",
        values: m.points.map((p) => (p.processed - p.failed > 0 ? Math.round(p.p50) : null)),
      },
      {
        label: "p95",
        tone: "warn",
        values: m.points.map((p) => (p.processed - p.failed > 0 ? Math.round(p.p95) : null)),
      },
      {
        label: "p99",
        tone: "bad",
        values: m.points.map((p) => (p.processed - p.failed > 0 ? Math.round(p.p99) : null)),
      },
    ],
    unit: "ms",
  })}</section>
<h2>By class</h2>
${table(
  ["Class", "Processed", "Failed", "Failure rate", "Mean", "p50", "p95", "p99"],
  groupRows(m.byClass, (g) => html`<a href="${filterLink({ class: g.className })}">${g.className}</a>`),
  "No executions in this window.",
)}
<h2>By queue</h2>
${table(
  ["Queue", "Processed", "Failed", "Failure rate", "Mean", "p50", "p95", "p99"],
  groupRows(m.byQueue, (g) => html`<a href="${filterLink({ queue: g.queue })}">${g.queue}</a>`),
  "No executions in this window.",
)}
<p class="muted">From the per-minute metrics every node's @verk/stats plugin persists (kept 8 hours). Percentiles are estimated from a duration histogram.</p>`;
  return page(ctx, { title: "Metrics", tab: "metrics", body, counts: summary });
}

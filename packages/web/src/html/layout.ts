import { can, href, type RequestContext } from "../context.js";
import { assetVersion } from "../http/assets.js";
import { type HtmlValue, html, type SafeHtml } from "./escape.js";
import { count } from "./format.js";

/** Counts shown in the navigation. */
export interface NavCounts {
  readonly enqueued: number;
  readonly busy: number;
  readonly retries: number;
  readonly scheduled: number;
  readonly dead: number;
}

/** A navigation tab. */
export type Tab = "overview" | "queues" | "nodes" | "retries" | "scheduled" | "dead" | "cron" | "metrics";

const TABS: readonly [Tab, string, string, keyof NavCounts | undefined][] = [
  ["overview", "Overview", "/", undefined],
  ["queues", "Queues", "/queues", "enqueued"],
  ["nodes", "Nodes", "/nodes", "busy"],
  ["retries", "Retries", "/retries", "retries"],
  ["scheduled", "Scheduled", "/scheduled", "scheduled"],
  ["dead", "Dead", "/dead", "dead"],
  ["cron", "Cron", "/cron", undefined],
  ["metrics", "Metrics", "/metrics", undefined],
];

/** What a page renders. */
export interface PageSpec {
  readonly title: string;
  readonly tab: Tab;
  readonly body: HtmlValue;
  readonly counts: NavCounts;
}

/** The main content block (what a live refresh replaces). */
function main(ctx: RequestContext, spec: PageSpec): SafeHtml {
  return html`<div id="main-inner" data-title="${spec.title}">
${ctx.flash ? html`<p class="flash" role="status">${ctx.flash}</p>` : ""}
${spec.body}
</div>`;
}

/** A whole page (or only its main block on a live refresh). */
export function page(ctx: RequestContext, spec: PageSpec): SafeHtml {
  if (ctx.partial) return main(ctx, spec);
  const { title, refreshMs, readOnly } = ctx.services.options;
  const v = assetVersion();
  const asset = (name: string) => `${ctx.base}/assets/${name}?v=${v}`;
  const nav = TABS.map(([tab, label, path, key]) => {
    const badge = key ? html` <span class="badge" data-live="${key}">${count(spec.counts[key])}</span>` : "";
    return html`<a href="${href(ctx, path)}" class="${tab === spec.tab ? "tab active" : "tab"}"${tab === spec.tab ? html` aria-current="page"` : ""}>${label}${badge}</a>`;
  });
  const mayChange = !readOnly && [...ctx.allowed].length > 0;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${spec.title} · ${title}</title>
<link rel="icon" href="${asset("icon.svg")}" type="image/svg+xml">
<link rel="stylesheet" href="${asset("uplot.css")}">
<link rel="stylesheet" href="${asset("layout.css")}">
<link rel="stylesheet" href="${asset("app.css")}">
<script src="${asset("uplot.js")}" defer></script>
<script src="${asset("app.js")}" defer></script>
</head>
<body data-base="${ctx.base}" data-refresh="${refreshMs}">
<header class="top">
  <a class="brand" href="${href(ctx, "/")}"><img src="${asset("icon.svg")}" alt="" width="22" height="22"> ${title}</a>
  ${readOnly || !mayChange ? html`<span class="pill" title="Actions are disabled">read-only</span>` : ""}
  <div class="controls">
    <label class="refresh">Refresh
      <select id="refresh" aria-label="Refresh interval">
        <option value="0">off</option><option value="2000">2 s</option><option value="5000">5 s</option>
        <option value="10000">10 s</option><option value="30000">30 s</option><option value="60000">60 s</option>
      </select></label>
    <span id="live-status" class="muted" aria-live="polite"></span>
    <button type="button" id="theme" class="ghost" title="Light / dark / system theme">◐</button>
  </div>
  <nav class="tabs" aria-label="Sections">${nav}</nav>
</header>
<main id="main">${main(ctx, spec)}</main>
<footer class="muted">${title} Web · ${can(ctx, "job.retry") || can(ctx, "queue.pause") ? "" : "read-only · "}data from Redis, refreshed live</footer>
</body>
</html>`;
}

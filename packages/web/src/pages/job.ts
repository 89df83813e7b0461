import { timestampToMs } from "@verk/core";
import { decodeBacktrace, entryKey, parseEntryKey, type SetEntry } from "@verk/redis-store";
import { href, type RequestContext } from "../context.js";
import { type HtmlValue, html, type SafeHtml } from "../html/escape.js";
import { isoTime, relative } from "../html/format.js";
import { page } from "../html/layout.js";
import { actionButton, prettyJson } from "../html/widgets.js";
import { ACTION_OF, destructive, LABEL, type SetPageSpec, tabOf } from "../sets.js";

function when(value: unknown, now: number): HtmlValue {
  const ms = timestampToMs(value);
  return ms === undefined ? "-" : html`${relative(ms, now)} <span class="muted">(${isoTime(ms)})</span>`;
}

/** `GET /retries/:key` (and scheduled, dead): one job with its payload, error, decoded backtrace and actions. */
export async function jobPage(ctx: RequestContext, spec: SetPageSpec): Promise<SafeHtml | undefined> {
  const key = parseEntryKey(ctx.params.key ?? "");
  const summary = await ctx.services.summary.get();
  const found: SetEntry | undefined = key
    ? (await ctx.services.admin.findByKeys(spec.set, [key]))[0]
    : undefined;
  if (!found) {
    const body = html`<h1>Not found</h1><p>This ${spec.noun} is no longer in the set (it was retried, moved or deleted meanwhile).</p>
<p><a class="btn" href="${href(ctx, `/${spec.slug}`)}">Back to ${spec.title}</a></p>`;
    ctx.res.statusCode = 404;
    return page(ctx, { title: "Not found", tab: tabOf(spec), body, counts: summary });
  }
  const e = found;
  const p = e.payload ?? {};
  const now = Date.now();
  const trace = decodeBacktrace(p.error_backtrace);
  const rows: [string, HtmlValue][] = [
    ["JID", html`<code>${e.jid || "(none)"}</code>`],
    ["Class", e.className || "(unreadable)"],
    [
      "Queue",
      e.queue ? html`<a href="${href(ctx, `/queues/${encodeURIComponent(e.queue)}`)}">${e.queue}</a>` : "-",
    ],
    [spec.scoreLabel, when(e.score, now)],
    ["Created", when(p.created_at, now)],
    ["Enqueued", when(p.enqueued_at, now)],
  ];
  if (e.retryCount !== undefined) rows.push(["Retry count", String(e.retryCount)]);
  if (p.retry !== undefined) rows.push(["Retry", JSON.stringify(p.retry)]);
  if (p.failed_at !== undefined) rows.push(["Failed", when(p.failed_at, now)]);
  if (p.retried_at !== undefined) rows.push(["Retried", when(p.retried_at, now)]);
  const actions = spec.actions.map((a) =>
    actionButton(ctx, ACTION_OF[a], `/${spec.slug}/action`, LABEL[a], {
      danger: destructive(a),
      ...(destructive(a) ? { confirm: `${LABEL[a]} job ${e.jid}?` } : {}),
      fields: { key: entryKey(e), action: a, back: href(ctx, `/${spec.slug}`) },
    }),
  );
  const body = html`<p><a href="${href(ctx, `/${spec.slug}`)}">‹ ${spec.title}</a></p>
<h1>${e.className || "Job"} <span class="muted small">${e.jid}</span></h1>
<div class="toolbar">${actions}</div>
<section class="card"><table class="kv">${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</table></section>
${
  e.error
    ? html`<section class="card"><h2>Error</h2><p class="error-class">${String(p.error_class ?? "")}</p>
<pre class="error-message">${String(p.error_message ?? e.error)}</pre>
${trace ? html`<h3>Backtrace</h3><pre class="backtrace">${trace.join("\n")}</pre>` : p.error_backtrace !== undefined ? html`<p class="muted">The backtrace could not be decoded.</p>` : ""}</section>`
    : ""
}
<section class="card"><h2>Args</h2>${prettyJson(p.args ?? null)}</section>
<section class="card"><h2>Payload</h2>${e.payload ? prettyJson(e.payload) : html`<pre class="json">${e.raw}</pre>`}</section>`;
  return page(ctx, { title: `${spec.title}: ${e.jid}`, tab: tabOf(spec), body, counts: summary });
}

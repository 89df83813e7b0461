import { entryKey, type SearchFilters, type SetEntry } from "@verk/redis-store";
import { can, href, type RequestContext } from "../context.js";
import { html, type SafeHtml } from "../html/escape.js";
import { count, isoTime, relative, truncate } from "../html/format.js";
import { page } from "../html/layout.js";
import { argsText, currentUrl, hidden, pager, table } from "../html/widgets.js";
import { ACTION_OF, LABEL, type SetPageSpec, tabOf } from "../sets.js";

/** Entries per page. */
export const SET_PER_PAGE = 25;

/** The filters of a set page from its query string. */
export function filtersOf(query: URLSearchParams): SearchFilters {
  const get = (name: string) => query.get(name)?.trim() || undefined;
  const f: SearchFilters = {};
  const className = get("class");
  const queue = get("queue");
  const errorText = get("error");
  const argsText = get("args");
  if (className) f.className = className;
  if (queue) f.queue = queue;
  if (errorText) f.errorText = errorText;
  if (argsText) f.argsText = argsText;
  return f;
}

function filterQuery(f: SearchFilters): Record<string, string | undefined> {
  return { class: f.className, queue: f.queue, error: f.errorText, args: f.argsText };
}

function entryRow(ctx: RequestContext, spec: SetPageSpec, e: SetEntry, now: number, selectable: boolean) {
  const key = entryKey(e);
  return html`<tr data-jid="${e.jid}">
${selectable ? html`<td><input type="checkbox" name="key" value="${key}" aria-label="Select ${e.jid}"></td>` : ""}
<td><a href="${href(ctx, `/${spec.slug}/${encodeURIComponent(key)}`)}" title="${isoTime(e.score * 1000)}">${relative(e.score * 1000, now)}</a></td>
<td>${e.className || html`<span class="muted">(unreadable)</span>`}</td>
<td>${e.queue}</td>
<td><code class="args">${argsText(e.payload, e.raw)}</code></td>
${spec.set !== "schedule" ? html`<td class="num">${e.retryCount ?? "-"}</td><td class="error">${truncate(e.error, 200)}</td>` : ""}
</tr>`;
}

function suggestions(id: string, values: readonly string[]): SafeHtml {
  return html`<datalist id="${id}">${[...new Set(values)].sort().map((v) => html`<option value="${v}">`)}</datalist>`;
}

/** `GET /retries`, `/scheduled`, `/dead`: paged; filters in bounded chunks; selection and "all matching" actions. */
export async function setPage(ctx: RequestContext, spec: SetPageSpec): Promise<SafeHtml> {
  const { admin } = ctx.services;
  const filters = filtersOf(ctx.query);
  const filtered = Object.keys(filters).length > 0;
  const pageNo = Math.max(1, Math.floor(Number(ctx.query.get("page")) || 1));
  const cursor = Math.max(0, Math.floor(Number(ctx.query.get("cursor")) || 0));
  const [summary, queues] = await Promise.all([ctx.services.summary.get(), admin.queues()]);
  let entries: SetEntry[];
  let footer: SafeHtml;
  let total: number;
  if (filtered) {
    const r = await admin.search(spec.set, { ...filters, cursor, limit: SET_PER_PAGE });
    entries = r.entries;
    total = r.total;
    const end = r.nextCursor ?? r.total;
    const more =
      r.nextCursor !== undefined
        ? html` <a class="btn ghost" href="${href(ctx, `/${spec.slug}`, { ...filterQuery(filters), cursor: r.nextCursor })}">search on from ${count(r.nextCursor + 1)} ›</a>`
        : "";
    footer = html`<p class="scan-note" role="status">Searched entries ${count(cursor + 1)}–${count(end)} of ${count(r.total)}: ${count(entries.length)} match${entries.length === 1 ? "" : "es"} shown. Filters read at most 10,000 entries per request, in chunks of 500.${more}</p>`;
  } else {
    const r = await admin.list(spec.set, { offset: (pageNo - 1) * SET_PER_PAGE, limit: SET_PER_PAGE });
    entries = r.entries;
    total = r.total;
    const pages = Math.max(1, Math.ceil(r.total / SET_PER_PAGE));
    footer = pager(ctx, Math.min(pageNo, pages), pages, {});
  }
  const now = Date.now();
  const allowedActions = spec.actions.filter((a) => can(ctx, ACTION_OF[a]));
  const selectable = allowedActions.length > 0;
  const headers = [
    selectable ? html`<input type="checkbox" class="select-all" aria-label="Select all on this page">` : "",
    spec.scoreLabel,
    "Class",
    "Queue",
    "Args",
    ...(spec.set !== "schedule" ? ["Retries", "Error"] : []),
  ].filter((_h, i) => i > 0 || selectable);
  const rows = entries.map((e) => entryRow(ctx, spec, e, now, selectable));
  const back = currentUrl(ctx);
  const actionPath = href(ctx, `/${spec.slug}/action`);
  const selectedButtons = allowedActions.map(
    (a) =>
      html`<button type="submit" name="action" value="${a}" class="${a === "delete" || a === "kill" ? "btn danger" : "btn"}">${LABEL[a]} selected</button>`,
  );
  const allButtons = allowedActions.map(
    (a) =>
      html`<button type="submit" name="action" value="${a}" class="${a === "delete" || a === "kill" ? "btn danger" : "btn"}">${LABEL[a]} all ${filtered ? "matching" : count(total)}</button>`,
  );
  const body = html`<h1>${spec.title} <span class="muted small">${count(total)}</span></h1>
<form method="get" action="${href(ctx, `/${spec.slug}`)}" class="filters" role="search">
<input name="class" value="${filters.className ?? ""}" placeholder="Class" list="classes" aria-label="Class">
<input name="queue" value="${filters.queue ?? ""}" placeholder="Queue" list="queues" aria-label="Queue">
${spec.set !== "schedule" ? html`<input name="error" value="${filters.errorText ?? ""}" placeholder="Error text" aria-label="Error text">` : ""}
<input name="args" value="${filters.argsText ?? ""}" placeholder="Args text" aria-label="Args text">
<button type="submit" class="btn">Filter</button>
${filtered ? html`<a class="btn ghost" href="${href(ctx, `/${spec.slug}`)}">clear filters</a>` : ""}
${suggestions("classes", entries.map((e) => e.className).filter(Boolean))}${suggestions(
  "queues",
  queues.map((q) => q.name),
)}
</form>
${
  selectable
    ? html`<form method="post" action="${actionPath}" id="selection" class="selection">
${hidden({ _csrf: ctx.csrfToken, back })}
<div class="toolbar">${selectedButtons}</div>
${table(headers, rows, filtered ? "Nothing matches in this part of the set." : `No ${spec.noun}s.`)}
</form>`
    : table(headers, rows, filtered ? "Nothing matches in this part of the set." : `No ${spec.noun}s.`)
}
${footer}
${
  selectable && total > 0
    ? html`<form method="post" action="${actionPath}" class="toolbar all-actions">
${hidden({ _csrf: ctx.csrfToken, back, all: "1", ...filterQuery(filters) })}${allButtons}
<span class="muted">${filtered ? "Acts on every entry matching the filters (the whole set is read in chunks)." : ""}</span>
</form>`
    : ""
}`;
  return page(ctx, { title: spec.title, tab: tabOf(spec), body, counts: summary });
}

import { can, href, type RequestContext } from "../context.js";
import type { DashboardAction } from "../options.js";
import { type HtmlValue, html, join, type SafeHtml } from "./escape.js";
import { count } from "./format.js";

/** Hidden inputs for `fields` (a value list repeats the name). */
export function hidden(fields: Record<string, string | readonly string[] | undefined>): SafeHtml {
  return join(
    Object.entries(fields).flatMap(([name, value]) =>
      value === undefined
        ? []
        : (Array.isArray(value) ? value : [value]).map(
            (v) => html`<input type="hidden" name="${name}" value="${v}">`,
          ),
    ),
  );
}

/** Options of {@link actionButton}. */
export interface ActionButtonOptions {
  /** Ask `window.confirm` with this text first (single destructive actions). */
  readonly confirm?: string;
  readonly danger?: boolean;
  readonly fields?: Record<string, string | readonly string[] | undefined>;
  /** Extra class names of the form. */
  readonly className?: string;
}

/** A one-button POST form, rendered only when the request may do `action`. */
export function actionButton(
  ctx: RequestContext,
  action: DashboardAction,
  path: string,
  label: string,
  options: ActionButtonOptions = {},
): SafeHtml {
  if (!can(ctx, action)) return html``;
  return html`<form method="post" action="${href(ctx, path)}" class="${`inline ${options.className ?? ""}`}"${options.confirm ? html` data-confirm="${options.confirm}"` : ""}>${hidden(
    { _csrf: ctx.csrfToken, back: currentUrl(ctx), ...(options.fields ?? {}) },
  )}<button type="submit" class="${options.danger ? "btn danger" : "btn"}">${label}</button></form>`;
}

/** The URL of this page (to come back to after an action). */
export function currentUrl(ctx: RequestContext): string {
  const qs = ctx.query.toString();
  return `${ctx.base}${ctx.path}${qs ? `?${qs}` : ""}`;
}

/** Previous / next links with "page x of y". */
export function pager(
  ctx: RequestContext,
  page: number,
  pages: number,
  query: Record<string, unknown>,
): SafeHtml {
  if (pages <= 1) return html``;
  const link = (p: number, label: string, rel: string) =>
    html`<a class="btn ghost" rel="${rel}" href="${href(ctx, ctx.path, { ...query, page: p })}">${label}</a>`;
  return html`<nav class="pager" aria-label="Pages">
${page > 1 ? link(1, "« first", "first") : ""}${page > 1 ? link(page - 1, "‹ previous", "prev") : ""}
<span class="muted">page ${count(page)} of ${count(pages)}</span>
${page < pages ? link(page + 1, "next ›", "next") : ""}${page < pages ? link(pages, "last »", "last") : ""}
</nav>`;
}

/** A table; `rows` already rendered; `numeric` lists the right-aligned columns (by index). */
export function table(
  headers: readonly HtmlValue[],
  rows: readonly SafeHtml[],
  empty: string,
  numeric: readonly number[] = [],
): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<div class="table-wrap"><table>
<thead><tr>${headers.map((h, i) => (numeric.includes(i) ? html`<th class="num">${h}</th>` : html`<th>${h}</th>`))}</tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

/** Pretty-printed JSON of `value` (escaped), or the raw text when it is not JSON. */
export function prettyJson(value: unknown): SafeHtml {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    text = String(value);
  }
  return html`<pre class="json">${text}</pre>`;
}

/** Compact one-line args for tables. */
export function argsText(payload: Record<string, unknown> | undefined, raw: string, max = 120): string {
  let text: string;
  try {
    text = payload ? JSON.stringify(payload.args ?? null) : raw;
  } catch {
    text = raw;
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A labelled number tile. */
export function stat(label: string, value: number, live?: string, tone = ""): SafeHtml {
  return html`<div class="${`stat ${tone}`}"><span class="value"${live ? html` data-live="${live}"` : ""}>${count(value)}</span><span class="label">${label}</span></div>`;
}

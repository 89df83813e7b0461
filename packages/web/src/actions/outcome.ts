import { href, type RequestContext } from "../context.js";
import { html, type SafeHtml } from "../html/escape.js";
import { page } from "../html/layout.js";
import { hidden } from "../html/widgets.js";
import type { Form } from "../http/body.js";

/** What an action did: a message and where to go back to, or a confirmation page to show first. */
export type ActionOutcome =
  | { readonly kind: "done"; readonly message: string; readonly back: string }
  | { readonly kind: "confirm"; readonly page: SafeHtml };

/** A safe place to go back to: the form's `back` when it is a path of this dashboard, else `fallback`. */
export function backTo(ctx: RequestContext, form: Form, fallback: string): string {
  const back = form.get("back")?.[0];
  if (back?.startsWith(`${ctx.base}/`) && !back.startsWith("//") && !/[\\\r\n]/.test(back)) return back;
  return href(ctx, fallback);
}

/** True when the form carries the confirmation of a destructive bulk action. */
export function confirmed(form: Form): boolean {
  return form.get("confirmed")?.[0] === "1";
}

/** A page asking to confirm `question`; its form re-posts every field with `confirmed=1`. */
export async function confirmPage(
  ctx: RequestContext,
  form: Form,
  question: string,
  label: string,
): Promise<ActionOutcome> {
  const fields: Record<string, string[]> = {};
  for (const [k, v] of form) if (k !== "_csrf" && k !== "confirmed") fields[k] = v;
  const cancel = backTo(ctx, form, "/");
  const summary = await ctx.services.summary.get();
  const body = html`<h1>Please confirm</h1>
<section class="card confirm"><p class="question">${question}</p>
<form method="post" action="${ctx.base}${ctx.path}" class="toolbar">${hidden({ ...fields, _csrf: ctx.csrfToken, confirmed: "1" })}
<button type="submit" class="btn danger" id="confirm">${label}</button>
<a class="btn ghost" href="${cancel}">Cancel</a></form></section>`;
  return { kind: "confirm", page: page(ctx, { title: "Confirm", tab: "overview", body, counts: summary }) };
}

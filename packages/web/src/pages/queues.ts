import type { QueueJob } from "@verk/redis-store";
import { can, href, type RequestContext } from "../context.js";
import { html, type SafeHtml } from "../html/escape.js";
import { count, duration, relative } from "../html/format.js";
import { page } from "../html/layout.js";
import { actionButton, argsText, pager, table } from "../html/widgets.js";

/** Jobs per page of a queue. */
export const PER_PAGE = 25;

/** `GET /queues`: every queue with size, latency, pause, nodes, in flight; pause, resume, clear. */
export async function queuesPage(ctx: RequestContext): Promise<SafeHtml> {
  const { admin, reader } = ctx.services;
  const [summary, overview, stored] = await Promise.all([
    ctx.services.summary.get(),
    admin.queueOverview(),
    reader.queues(),
  ]);
  const lifetime = new Map(stored.map((q) => [q.name, q]));
  const rows = overview.map((q) => {
    const life = lifetime.get(q.name);
    const path = `/queues/${encodeURIComponent(q.name)}`;
    return html`<tr data-queue="${q.name}">
<td><a href="${href(ctx, path)}">${q.name}</a> ${q.paused ? html`<span class="pill warn">paused</span>` : ""}</td>
<td class="num">${count(q.size)}</td>
<td class="num">${q.size > 0 ? duration(q.latencySeconds) : "-"}</td>
<td class="num" title="${q.nodes.join(", ")}">${count(q.nodes.length)}</td>
<td class="num">${count(q.inFlight)}</td>
<td class="num">${count(q.running)}</td>
<td class="num">${count(life?.processed ?? 0)}</td>
<td class="num">${count(life?.failed ?? 0)}</td>
<td class="num">${count(life?.limited ?? 0)}</td>
<td class="num">${count(life?.expired ?? 0)}</td>
<td class="num">${count(life?.duplicates ?? 0)}</td>
<td class="actions">${
      q.paused
        ? actionButton(ctx, "queue.resume", `${path}/resume`, "Resume")
        : actionButton(ctx, "queue.pause", `${path}/pause`, "Pause")
    }${actionButton(ctx, "queue.clear", `${path}/clear`, "Clear", { danger: true })}</td>
</tr>`;
  });
  const body = html`<h1>Queues</h1>
${table(
  [
    "Queue",
    "Size",
    "Latency",
    "Nodes",
    "In flight",
    "Running",
    "Processed",
    "Failed",
    "Limited",
    "Expired",
    "Duplicates",
    can(ctx, "queue.pause") || can(ctx, "queue.clear") ? "Actions" : "",
  ],
  rows,
  "No queues yet.",
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
)}
<p class="muted">Latency: age of the oldest waiting job. Nodes: live nodes serving the queue. In flight: fetched by a Verk node, not yet acknowledged. Running: from the heartbeats (every 5 s). Limited: times a limit held a job back; Expired: jobs skipped unstarted after their expiry; Duplicates: unique jobs dropped at enqueue.</p>`;
  return page(ctx, { title: "Queues", tab: "queues", body, counts: summary });
}

function jobRow(ctx: RequestContext, queue: string, job: QueueJob, now: number): SafeHtml {
  return html`<tr data-jid="${job.jid}">
<td class="num">${count(job.position + 1)}</td>
<td><code>${job.jid || "(none)"}</code></td>
<td>${job.className || html`<span class="muted">(unreadable)</span>`}</td>
<td><code class="args">${argsText(job.payload, job.raw)}</code>
<details><summary>payload</summary><pre class="json">${job.raw}</pre></details></td>
<td>${job.enqueuedAtMs ? relative(job.enqueuedAtMs, now) : "-"}</td>
<td class="actions">${
    job.jid
      ? actionButton(ctx, "queue.delete-job", `/queues/${encodeURIComponent(queue)}/delete`, "Delete", {
          danger: true,
          confirm: `Delete job ${job.jid} from ${queue}?`,
          fields: { jid: job.jid, position: String(job.position) },
        })
      : ""
  }</td></tr>`;
}

/** `GET /queues/:name`: the waiting jobs in run order, paged; a bounded search; delete one; pause, clear. */
export async function queuePage(ctx: RequestContext): Promise<SafeHtml> {
  const name = ctx.params.name!;
  const { admin } = ctx.services;
  const text = ctx.query.get("q")?.trim() || undefined;
  const className = ctx.query.get("class")?.trim() || undefined;
  const pageNo = Math.max(1, Math.floor(Number(ctx.query.get("page")) || 1));
  const [summary, overview] = await Promise.all([ctx.services.summary.get(), admin.queueOverview()]);
  const q = overview.find((o) => o.name === name);
  const now = Date.now();
  const path = `/queues/${encodeURIComponent(name)}`;
  let list: SafeHtml;
  if (text || className) {
    const cursor = Math.max(0, Math.floor(Number(ctx.query.get("cursor")) || 0));
    const r = await admin.searchQueue(name, {
      ...(text ? { text } : {}),
      ...(className ? { className } : {}),
      cursor,
      limit: PER_PAGE,
    });
    const end = r.nextCursor ?? r.total;
    const more =
      r.nextCursor !== undefined
        ? html` <a class="btn ghost" href="${href(ctx, path, { q: text, class: className, cursor: r.nextCursor })}">search on from ${count(r.nextCursor + 1)} ›</a>`
        : "";
    list = html`<p class="scan-note" role="status">Searched jobs ${count(cursor + 1)}–${count(end)} of ${count(r.total)}: ${count(r.entries.length)} match${r.entries.length === 1 ? "" : "es"}. Searches read at most 10,000 jobs per request, in chunks of 1,000.${more}</p>
${table(
  ["#", "JID", "Class", "Args", "Enqueued", ""],
  r.entries.map((j) => jobRow(ctx, name, j, now)),
  "No match in this part of the queue.",
)}`;
  } else {
    const r = await admin.queueJobs(name, { offset: (pageNo - 1) * PER_PAGE, limit: PER_PAGE });
    const pages = Math.max(1, Math.ceil(r.total / PER_PAGE));
    list = html`${table(
      ["#", "JID", "Class", "Args", "Enqueued", ""],
      r.entries.map((j) => jobRow(ctx, name, j, now)),
      "No waiting jobs.",
    )}
${pager(ctx, Math.min(pageNo, pages), pages, {})}`;
  }
  const body = html`<h1>Queue <span class="name">${name}</span> ${q?.paused ? html`<span class="pill warn">paused</span>` : ""}</h1>
<section class="stats">
<div class="stat"><span class="value" data-live-queue="${name}">${count(q?.size ?? 0)}</span><span class="label">Waiting</span></div>
<div class="stat"><span class="value">${q && q.size > 0 ? duration(q.latencySeconds) : "-"}</span><span class="label">Latency</span></div>
<div class="stat"><span class="value">${count(q?.inFlight ?? 0)}</span><span class="label">In flight</span></div>
<div class="stat"><span class="value">${count(q?.nodes.length ?? 0)}</span><span class="label">Nodes</span></div>
</section>
<div class="toolbar">
${q?.paused ? actionButton(ctx, "queue.resume", `${path}/resume`, "Resume") : actionButton(ctx, "queue.pause", `${path}/pause`, "Pause")}
${actionButton(ctx, "queue.clear", `${path}/clear`, "Clear queue", { danger: true })}
<form method="get" action="${href(ctx, path)}" class="search" role="search">
<input type="search" name="q" value="${text ?? ""}" placeholder="Search args / payload" aria-label="Search text">
<input type="text" name="class" value="${className ?? ""}" placeholder="Class" aria-label="Class">
<button type="submit" class="btn">Search</button>
${text || className ? html`<a class="btn ghost" href="${href(ctx, path)}">clear search</a>` : ""}
</form></div>
<p class="muted">Run order: #1 runs next. Nodes serving it: ${q?.nodes.length ? q.nodes.join(", ") : "none"}.</p>
${list}`;
  return page(ctx, { title: `Queue ${name}`, tab: "queues", body, counts: summary });
}

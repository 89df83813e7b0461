import { can, href, type RequestContext } from "../context.js";
import { html, type SafeHtml } from "../html/escape.js";
import { bytes, count, duration, relative } from "../html/format.js";
import { page } from "../html/layout.js";
import { actionButton, argsText, table } from "../html/widgets.js";

function parsed(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `GET /nodes`: every live process (Verk and Sidekiq) and Verk-only node, running jobs; quiet and stop. */
export async function nodesPage(ctx: RequestContext): Promise<SafeHtml> {
  const { admin } = ctx.services;
  const [summary, processes, nodes] = await Promise.all([
    ctx.services.summary.get(),
    admin.processes(),
    admin.verkNodes(),
  ]);
  const now = Date.now();
  const known = new Set(processes.map((p) => p.identity));
  const procRows = processes.map((p) => {
    const node = nodes.find((n) => n.nodeId === p.identity);
    const inFlight = node ? Object.values(node.inFlight).reduce((a, b) => a + b, 0) : undefined;
    return html`<tr data-identity="${p.identity}">
<td><strong>${p.identity}</strong>${p.tag ? html` <span class="pill">${p.tag}</span>` : ""}<br><span class="muted small">${p.hostname} · pid ${p.pid}${node ? " · Verk" : ""}</span></td>
<td>${p.queues.join(", ")}</td>
<td class="num">${count(p.busy)} / ${count(p.concurrency)}${inFlight !== undefined ? html`<br><span class="muted small">${count(inFlight)} in flight</span>` : ""}</td>
<td class="num">${bytes(p.rssKb * 1024)}</td>
<td>${relative(p.startedAt * 1000, now)}</td>
<td>${relative(p.beat * 1000, now)}</td>
<td>${p.quiet ? html`<span class="pill warn">quiet</span>` : html`<span class="pill ok">running</span>`}</td>
<td class="actions">${p.quiet ? "" : actionButton(ctx, "node.quiet", "/nodes/quiet", "Quiet", { fields: { identity: p.identity } })}${actionButton(ctx, "node.stop", "/nodes/stop", "Stop", { danger: true, confirm: `Stop ${p.identity}? Running jobs get their shutdown timeout, then go back to their queue.`, fields: { identity: p.identity } })}</td>
</tr>`;
  });
  const others = nodes.filter((n) => !known.has(n.nodeId));
  const otherRows = others.map(
    (n) => html`<tr><td>${n.nodeId}</td><td>${n.queues.join(", ")}</td>
<td class="num">${count(Object.values(n.inFlight).reduce((a, b) => a + b, 0))}</td>
<td>${n.alive ? html`<span class="pill ok">alive</span>` : html`<span class="pill bad">no heartbeat: its jobs are recovered by a live peer</span>`}</td></tr>`,
  );
  const jobs = processes.flatMap((p) => p.jobs).sort((a, b) => a.runAt - b.runAt);
  const jobRows = jobs.map(
    (j) => html`<tr><td>${j.process}</td><td><code>${j.jid}</code></td><td>${j.className}</td>
<td><a href="${href(ctx, `/queues/${encodeURIComponent(j.queue)}`)}">${j.queue}</a></td>
<td><code class="args">${argsText(parsed(j.raw), j.raw)}</code></td>
<td class="num">${duration(now / 1000 - j.runAt)}</td></tr>`,
  );
  const allActions =
    processes.length > 0 && (can(ctx, "node.quiet") || can(ctx, "node.stop"))
      ? html`<div class="toolbar">${actionButton(ctx, "node.quiet", "/nodes/quiet", "Quiet all", { fields: { all: "1" } })}${actionButton(ctx, "node.stop", "/nodes/stop", "Stop all", { danger: true, fields: { all: "1" } })}</div>`
      : "";
  const body = html`<h1>Nodes</h1>
${allActions}
${table(["Process", "Queues", "Busy", "RSS", "Started", "Beat", "State", ""], procRows, "No live processes.", [2, 3])}
<p class="muted">Quiet stops fetching new jobs; stop shuts the process down gracefully. Both travel through Sidekiq's &lt;identity&gt;-signals list and act at the next heartbeat (within 5 s), on Verk nodes and Sidekiq processes alike.</p>
${others.length > 0 ? html`<h2>Verk nodes without a process entry</h2>${table(["Node", "Queues", "In flight", "State"], otherRows, "")}` : ""}
<h2>Running jobs <span class="muted small">${count(jobs.length)}</span></h2>
${table(["Process", "JID", "Class", "Queue", "Args", "Running for"], jobRows, "Nothing running.", [5])}`;
  return page(ctx, { title: "Nodes", tab: "nodes", body, counts: summary });
}

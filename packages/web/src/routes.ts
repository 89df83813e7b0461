import { nodeAction } from "./actions/nodes.js";
import type { ActionOutcome } from "./actions/outcome.js";
import { QUEUE_VERBS, queueAction } from "./actions/queues.js";
import { setAction, setActionOf } from "./actions/sets.js";
import type { RequestContext } from "./context.js";
import type { SafeHtml } from "./html/escape.js";
import type { Form } from "./http/body.js";
import type { DashboardAction } from "./options.js";
import { cronPage } from "./pages/cron.js";
import { jobPage } from "./pages/job.js";
import { metricsPage } from "./pages/metrics.js";
import { nodesPage } from "./pages/nodes.js";
import { overviewPage } from "./pages/overview.js";
import { queuePage, queuesPage } from "./pages/queues.js";
import { setPage } from "./pages/sets.js";
import { ACTION_OF, setSpec } from "./sets.js";

/** A matched GET page: renders, or resolves `undefined` for "not found". */
export interface PageRoute {
  readonly params: Record<string, string>;
  render(ctx: RequestContext): Promise<SafeHtml | undefined>;
}

/** A matched POST action: `action(form)` names what `authorize` is asked; `run` does it. */
export interface ActionRoute {
  readonly params: Record<string, string>;
  action(form: Form): DashboardAction;
  run(ctx: RequestContext, form: Form): Promise<ActionOutcome>;
}

/** Match a page path (segments already decoded). */
export function matchPage(segments: readonly string[]): PageRoute | undefined {
  const [first = "", second, third] = segments;
  if (segments.length === 0) return { params: {}, render: overviewPage };
  if (first === "queues" && segments.length === 1) return { params: {}, render: queuesPage };
  if (first === "queues" && second !== undefined && segments.length === 2)
    return { params: { name: second }, render: queuePage };
  if (first === "nodes" && segments.length === 1) return { params: {}, render: nodesPage };
  if (first === "cron" && segments.length === 1) return { params: {}, render: cronPage };
  if (first === "metrics" && segments.length === 1) return { params: {}, render: metricsPage };
  const spec = setSpec(first);
  if (spec && segments.length === 1) return { params: {}, render: (ctx) => setPage(ctx, spec) };
  if (spec && second !== undefined && second !== "action" && third === undefined)
    return { params: { key: second }, render: (ctx) => jobPage(ctx, spec) };
  return undefined;
}

/** Match an action path. */
export function matchAction(segments: readonly string[]): ActionRoute | undefined {
  const [first = "", second, third] = segments;
  if (first === "queues" && second !== undefined && third !== undefined && segments.length === 3) {
    const action = QUEUE_VERBS[third];
    if (!action) return undefined;
    return {
      params: { name: second },
      action: () => action,
      run: (ctx, form) => queueAction(ctx, third, form),
    };
  }
  if (first === "nodes" && (second === "quiet" || second === "stop") && segments.length === 2)
    return {
      params: {},
      action: () => (second === "quiet" ? "node.quiet" : "node.stop"),
      run: (ctx, form) => nodeAction(ctx, second, form),
    };
  const spec = setSpec(first);
  if (spec && second === "action" && segments.length === 2)
    return {
      params: {},
      action: (form) => ACTION_OF[setActionOf(spec, form)],
      run: (ctx, form) => setAction(ctx, spec, form),
    };
  return undefined;
}

import type { IncomingMessage, ServerResponse } from "node:http";
import type { RedisAdmin, RedisStore } from "@verk/redis-store";
import type { StatsReader } from "@verk/stats";
import type { ExtraHeaders } from "./http/respond.js";
import type { Csrf } from "./http/security.js";
import type { DashboardAction, ResolvedDashboardOptions } from "./options.js";
import type { SummaryCache } from "./summary.js";

/** What every page and action uses: the store, its admin API and stats reader. */
export interface Services {
  readonly store: RedisStore;
  readonly admin: RedisAdmin;
  readonly reader: StatsReader;
  readonly options: ResolvedDashboardOptions;
  readonly csrf: Csrf;
  readonly summary: SummaryCache;
}

/** One request as the pages and actions see it. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Mount path (`""` or e.g. `"/admin/jobs"`). */
  readonly base: string;
  /** Path below the mount path, starting with `/`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Decoded route parameters. */
  readonly params: Readonly<Record<string, string>>;
  readonly services: Services;
  /** The state-changing actions this request may do (empty when read-only). */
  readonly allowed: ReadonlySet<DashboardAction>;
  /** The CSRF token to put in forms. */
  readonly csrfToken: string;
  /** A message from the previous action (shown once). */
  readonly flash: string | undefined;
  /** Headers (cookies) to add to the response. */
  readonly headers: ExtraHeaders;
  /** Only the page's main content is wanted (live refresh). */
  readonly partial: boolean;
}

/** True when the request may do `action`. */
export function can(ctx: RequestContext, action: DashboardAction): boolean {
  return ctx.allowed.has(action);
}

/** `base + path` plus a query string built from `query` (empty values dropped). */
export function href(
  ctx: Pick<RequestContext, "base">,
  path: string,
  query: Record<string, unknown> = {},
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== "" && v !== false) params.set(k, String(v));
  const qs = params.toString();
  return `${ctx.base}${path}${qs ? `?${qs}` : ""}`;
}

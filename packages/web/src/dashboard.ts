import type { IncomingMessage, ServerResponse } from "node:http";
import { isVerkError } from "@verk/core";
import { RedisAdmin, type RedisStore, redisStore } from "@verk/redis-store";
import { createStatsReader } from "@verk/stats";
import type { ActionOutcome } from "./actions/outcome.js";
import type { RequestContext, Services } from "./context.js";
import { html } from "./html/escape.js";
import { assets, serveAsset } from "./http/assets.js";
import { readForm } from "./http/body.js";
import { cookie, readCookies } from "./http/cookies.js";
import { type ExtraHeaders, redirect, sendHtml, sendJson, sendText } from "./http/respond.js";
import { basicAuthOk, CSRF_COOKIE, Csrf } from "./http/security.js";
import { LiveStreams } from "./live.js";
import { CHANGE_ACTIONS, type DashboardAction, type DashboardOptions, resolveOptions } from "./options.js";
import { matchAction, matchPage } from "./routes.js";
import { SummaryCache } from "./summary.js";

const FLASH_COOKIE = "verk_flash";

/** A Node request handler serving the dashboard; works under node:http, Express and Fastify. */
export interface Dashboard {
  /** Handle a request. Outside the mount path it calls `next()` when given (Express), else answers 404. */
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /** End the live streams and close the store if the dashboard created it (from `redisUrl`). Idempotent. */
  close(): Promise<void>;
  /** The admin API the dashboard uses. */
  readonly admin: RedisAdmin;
}

/**
 * Create the dashboard: server-rendered pages for queues, nodes, retries, scheduled and dead jobs,
 * cron and metrics, with actions, CSRF protection, Basic auth, `authorize` and a read-only mode.
 * @throws VerkError `INVALID_OPTION` for bad options.
 * @example
 * ```ts
 * const dashboard = createDashboard({ redisUrl: process.env.REDIS_URL, basePath: "/admin/jobs" });
 * http.createServer(dashboard).listen(3000); // or app.use("/admin/jobs", dashboard) in Express
 * ```
 */
export function createDashboard(options: DashboardOptions = {}): Dashboard {
  const opts = resolveOptions(options);
  const ownsStore = !opts.store;
  const store: RedisStore =
    opts.store ??
    redisStore({
      ...(opts.redisUrl ? { url: opts.redisUrl } : {}),
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
    });
  const partial: Omit<Services, "summary"> = {
    store,
    admin: new RedisAdmin(store),
    reader: createStatsReader(store),
    options: opts,
    csrf: new Csrf(opts.secret),
  };
  const services: Services = { ...partial, summary: new SummaryCache(partial as Services) };
  const live = new LiveStreams();
  assets(); // read the asset files now: a broken install fails at start, not on the first page
  let closing: Promise<void> | undefined;

  const handler = ((req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => {
    handle(req, res, next).catch((error: unknown) => {
      console.error(`[@verk/web] ${req.method} ${req.url} failed:`, error);
      if (!res.headersSent)
        sendText(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
      else res.end();
    });
  }) as Dashboard;

  async function handle(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) {
    const full = (req as { originalUrl?: string }).originalUrl ?? req.url ?? "/";
    const base = opts.basePath ?? ((req as { baseUrl?: string }).baseUrl || "");
    const url = new URL(full, "http://dashboard.invalid");
    if (base && url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
      if (next) return next();
      return sendText(res, 404, "not found");
    }
    let segments: string[];
    try {
      segments = url.pathname.slice(base.length).split("/").filter(Boolean).map(decodeURIComponent);
    } catch {
      return sendText(res, 400, "malformed URL");
    }
    if (opts.basicAuth && !basicAuthOk(req, opts.basicAuth))
      return sendText(res, 401, "authentication required", {
        "www-authenticate": 'Basic realm="Verk", charset="UTF-8"',
      });
    if (!(await allow(req, "view"))) return sendText(res, 403, "forbidden");
    const method = req.method ?? "GET";
    if (method === "GET" || method === "HEAD") {
      if (segments[0] === "assets" && segments.length === 2 && serveAsset(req, res, segments[1]!)) return;
      if (segments[0] === "live" && segments.length === 1 && method === "GET")
        return live.open(
          res,
          services.summary,
          Number(url.searchParams.get("interval")) || opts.refreshMs || 5_000,
        );
      if (segments[0] === "api" && segments[1] === "summary" && segments.length === 2)
        return sendJson(res, 200, await services.summary.get());
    }
    const cookies = readCookies(req);
    const headers: ExtraHeaders = {};
    let csrfValue = cookies[CSRF_COOKIE];
    const setCookies: string[] = [];
    if (!csrfValue) {
      csrfValue = services.csrf.newValue();
      setCookies.push(cookie(CSRF_COOKIE, csrfValue, base || "/"));
    }
    const flash = cookies[FLASH_COOKIE];
    if (flash) setCookies.push(cookie(FLASH_COOKIE, "", base || "/", 0));
    if (setCookies.length) headers["set-cookie"] = setCookies;
    const allowed = new Set<DashboardAction>();
    if (!opts.readOnly)
      await Promise.all(CHANGE_ACTIONS.map(async (a) => (await allow(req, a)) && allowed.add(a)));
    const ctx: Omit<RequestContext, "params"> = {
      req,
      res,
      base,
      path: `/${segments.map(encodeURIComponent).join("/")}`.replace(/^\/$/, "/"),
      query: url.searchParams,
      services,
      allowed,
      csrfToken: services.csrf.token(csrfValue),
      flash,
      headers,
      partial: req.headers["x-verk-partial"] === "1",
    };
    if (method === "GET" || method === "HEAD") {
      const route = matchPage(segments);
      const body = route ? await guard(() => route.render({ ...ctx, params: route.params })) : undefined;
      if (body === undefined) return notFound(ctx, next);
      if (typeof body === "string") return sendText(res, 503, body, headers);
      return sendHtml(res, res.statusCode === 404 ? 404 : 200, body, headers);
    }
    if (method !== "POST") return sendText(res, 405, "method not allowed", { allow: "GET, HEAD, POST" });
    const route = matchAction(segments);
    if (!route) return notFound(ctx, next);
    if (opts.readOnly) return sendText(res, 403, "the dashboard is read-only");
    const form = await readForm(req);
    const refusal = services.csrf.refusal(req, cookies[CSRF_COOKIE], form.get("_csrf")?.[0]);
    if (refusal) return sendText(res, 403, refusal);
    const actx: RequestContext = { ...ctx, params: route.params };
    let action: DashboardAction;
    try {
      action = route.action(form);
    } catch (error) {
      return sendText(res, 400, error instanceof Error ? error.message : String(error));
    }
    if (!(await allow(req, action))) return sendText(res, 403, `not allowed to ${action}`);
    let outcome: ActionOutcome;
    try {
      outcome = await route.run(actx, form);
    } catch (error) {
      if (isVerkError(error))
        return sendText(
          res,
          error.code === "UNKNOWN_QUEUE" ? 404 : 400,
          error.message.replace(/^\[[\w-]+\] /, ""),
        );
      throw error;
    }
    if (outcome.kind === "confirm") return sendHtml(res, 200, outcome.page, headers);
    return redirect(res, outcome.back, {
      "set-cookie": [
        ...setCookies.filter((c) => !c.startsWith(FLASH_COOKIE)),
        cookie(FLASH_COOKIE, outcome.message, base || "/", 60),
      ],
    });
  }

  async function allow(req: IncomingMessage, action: DashboardAction): Promise<boolean> {
    if (!opts.authorize) return true;
    try {
      return (await opts.authorize(req, action)) === true;
    } catch {
      return false;
    }
  }

  /** Render, turning "Redis is unreachable" into a plain 503 text. */
  async function guard<T>(render: () => Promise<T>): Promise<T | string> {
    try {
      return await render();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/ECONNREFUSED|Connection is closed|connect|ETIMEDOUT|MaxRetries/i.test(message))
        return `cannot read from Redis: ${message}`;
      throw error;
    }
  }

  function notFound(ctx: Omit<RequestContext, "params">, next?: (error?: unknown) => void) {
    if (next) return next();
    sendHtml(
      ctx.res,
      404,
      html`<!doctype html><title>Not found</title><p>Not found. <a href="${ctx.base}/">Overview</a></p>`,
      ctx.headers,
    );
  }

  handler.close = () => {
    closing ??= (async () => {
      live.closeAll();
      if (ownsStore) await store.close();
    })();
    return closing;
  };
  Object.defineProperty(handler, "admin", { value: services.admin });
  return handler;
}

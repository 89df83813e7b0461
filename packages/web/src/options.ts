import type { IncomingMessage } from "node:http";
import { assertKnownKeys, invalidOption } from "@verk/core";
import type { RedisStore } from "@verk/redis-store";

/**
 * What a request may do, as passed to `authorize(req, action)`: `"view"` for every page, asset and
 * the live stream; the others for each state change.
 */
export type DashboardAction =
  | "view"
  | "queue.pause"
  | "queue.resume"
  | "queue.clear"
  | "queue.delete-job"
  | "job.retry"
  | "job.enqueue"
  | "job.kill"
  | "job.delete"
  | "node.quiet"
  | "node.stop";

/** Every state-changing action. */
export const CHANGE_ACTIONS: readonly Exclude<DashboardAction, "view">[] = [
  "queue.pause",
  "queue.resume",
  "queue.clear",
  "queue.delete-job",
  "job.retry",
  "job.enqueue",
  "job.kill",
  "job.delete",
  "node.quiet",
  "node.stop",
];

/** Options of `createDashboard`. Give `store` or `redisUrl`. */
export interface DashboardOptions {
  /** A `redisStore(...)` to read and act on (the dashboard does not close it). */
  store?: RedisStore;
  /** Redis URL, when no `store` is given; the dashboard then owns its store and `close()` closes it. (Default: `redis://127.0.0.1:6379`) */
  redisUrl?: string;
  /** Key namespace of that store (only with `redisUrl`). (Default: none) */
  namespace?: string;
  /**
   * Path the dashboard is mounted at, e.g. `"/admin/jobs"`. (Default: Express's `req.baseUrl`
   * when mounted with `app.use(path, …)`, else `""`, the root)
   */
  basePath?: string;
  /** Show everything, change nothing: actions are hidden and refused with 403. (Default: false) */
  readOnly?: boolean;
  /**
   * Access control per request and action; false (or a promise of false) answers 403. Called with
   * `"view"` for every GET (pages, assets, the live stream) and with the action for each POST.
   * (Default: everything allowed)
   */
  authorize?: (req: IncomingMessage, action: DashboardAction) => boolean | Promise<boolean>;
  /** HTTP Basic credentials required on every route, assets and live stream included. (Default: none) */
  basicAuth?: { username: string; password: string };
  /**
   * Secret for the CSRF tokens (HMAC). Give the same one to every process behind one load
   * balancer. (Default: random per process, so a restart asks for a page reload before a POST)
   */
  secret?: string;
  /** Default page refresh, ms; 0 = off. The browser remembers the user's choice. (Default: 5,000) */
  refreshMs?: number;
  /** Title in the header and the page titles. (Default: `"Verk"`) */
  title?: string;
}

/** {@link DashboardOptions} checked and with defaults applied. */
export interface ResolvedDashboardOptions {
  readonly store: RedisStore | undefined;
  readonly redisUrl: string | undefined;
  readonly namespace: string | undefined;
  readonly basePath: string | undefined;
  readonly readOnly: boolean;
  readonly authorize: DashboardOptions["authorize"];
  readonly basicAuth: { username: string; password: string } | undefined;
  readonly secret: string | undefined;
  readonly refreshMs: number;
  readonly title: string;
}

const KNOWN = [
  "store",
  "redisUrl",
  "namespace",
  "basePath",
  "readOnly",
  "authorize",
  "basicAuth",
  "secret",
  "refreshMs",
  "title",
] as const;

/** Normalise a mount path: leading `/`, no trailing `/`; `""` for the root. */
export function normaliseBasePath(path: string): string {
  const trimmed = path.trim().replace(/\/+$/, "");
  if (trimmed === "") return "";
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(trimmed) || trimmed.includes("//"))
    throw invalidOption("basePath", `must be a URL path such as "/admin/jobs", got ${JSON.stringify(path)}`);
  return trimmed;
}

/**
 * Validate {@link DashboardOptions}.
 * @throws VerkError `INVALID_OPTION` naming the option (unknown keys included).
 */
export function resolveOptions(options: DashboardOptions): ResolvedDashboardOptions {
  if (options === null || typeof options !== "object") throw invalidOption("options", "must be an object");
  assertKnownKeys(options as Record<string, unknown>, KNOWN, "createDashboard");
  if (options.store && (options.redisUrl !== undefined || options.namespace !== undefined))
    throw invalidOption("store", 'give either "store" or "redisUrl"/"namespace", not both');
  if (options.store && (typeof options.store !== "object" || !("client" in options.store)))
    throw invalidOption("store", "must be a store created by redisStore() of @verk/redis-store");
  if (options.authorize !== undefined && typeof options.authorize !== "function")
    throw invalidOption("authorize", "must be a function (req, action) => boolean | Promise<boolean>");
  const auth = options.basicAuth;
  if (
    auth !== undefined &&
    (typeof auth !== "object" ||
      typeof auth.username !== "string" ||
      typeof auth.password !== "string" ||
      auth.username === "" ||
      auth.username.includes(":"))
  )
    throw invalidOption("basicAuth", "must be { username, password } with a non-empty username without ':'");
  const refreshMs = options.refreshMs ?? 5_000;
  if (!Number.isInteger(refreshMs) || refreshMs < 0)
    throw invalidOption("refreshMs", "must be a non-negative integer of milliseconds");
  if (options.secret !== undefined && (typeof options.secret !== "string" || options.secret.length < 16))
    throw invalidOption("secret", "must be a string of at least 16 characters");
  return {
    store: options.store,
    redisUrl: options.redisUrl,
    namespace: options.namespace,
    basePath: options.basePath === undefined ? undefined : normaliseBasePath(options.basePath),
    readOnly: options.readOnly === true,
    authorize: options.authorize,
    basicAuth: auth,
    secret: options.secret,
    refreshMs,
    title: options.title ?? "Verk",
  };
}

/** Parse `user:password` (the `--basic-auth` flag). @throws VerkError `INVALID_OPTION`. */
export function parseBasicAuth(text: string): { username: string; password: string } {
  const i = text.indexOf(":");
  if (i <= 0) throw invalidOption("basicAuth", 'must look like "user:password"');
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}

import { isVerkError } from "@verk/core";
import { DEFAULT_URL, maskUrl, RedisAdmin, type RedisStore, redisStore } from "@verk/redis-store";
import { CliError, UsageError } from "./util/errors.js";
import { type Palette, palette, useColour } from "./util/format.js";

/** The streams and environment a command runs with (the real process ones in the binary). */
export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** The options every command accepts. */
export interface GlobalOptions {
  /** Print machine-readable JSON on stdout instead of text. */
  readonly json: boolean;
  /** Redis URL: `--redis-url`, else `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  readonly redisUrl: string;
  /**
   * Redis Cluster nodes (`redis://host:port` URLs): `--cluster-nodes`, else `VERK_CLUSTER_NODES`
   * (comma-separated), else none. When set, the store runs on the cluster (cluster key layout)
   * and `redisUrl` is not used.
   */
  readonly clusterNodes: readonly string[] | undefined;
  /** Key namespace: `--namespace`, else `VERK_NAMESPACE`, else none. */
  readonly namespace: string | undefined;
  /** `--no-color`: never colour. */
  readonly colour: boolean;
}

/** Milliseconds to wait for Redis before failing (`VERK_CONNECT_TIMEOUT_MS`). (Default: 3,000) */
function connectTimeout(env: NodeJS.ProcessEnv): number {
  const n = Number(env.VERK_CONNECT_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : 3_000;
}

/** What a command gets: streams, global options, colour palettes, and lazy Redis access. */
export class Context {
  readonly io: Io;
  readonly options: GlobalOptions;
  /** Colours for stdout. */
  readonly p: Palette;
  /** Colours for stderr. */
  readonly pe: Palette;
  #store: RedisStore | undefined;

  constructor(io: Io, options: GlobalOptions) {
    this.io = io;
    this.options = options;
    this.p = palette(!options.json && useColour(io.stdout, io.env, options.colour));
    this.pe = palette(useColour(io.stderr, io.env, options.colour));
  }

  /** Where the store connects, passwords masked: the Redis URL, or `redis cluster <url>,…`. */
  get maskedUrl(): string {
    return describeTarget(this.options.redisUrl, this.options.clusterNodes);
  }

  /** Write a line (or lines) to stdout. */
  print(text = ""): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** Write `value` as JSON on stdout. */
  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Write a note to stderr (progress, hints); suppressed with `--json`? No: stderr stays free for notes. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** A connected store (created on first use). @throws CliError naming the URL (password masked) when Redis is unreachable. */
  async store(): Promise<RedisStore> {
    if (this.#store) return this.#store;
    let store: RedisStore;
    try {
      const nodes = this.options.clusterNodes;
      store = redisStore({
        ...(nodes
          ? { cluster: { nodes: [...nodes], redisOptions: { maxRetriesPerRequest: 2 } } }
          : { url: this.options.redisUrl, redis: { maxRetriesPerRequest: 2 } }),
        ...(this.options.namespace ? { namespace: this.options.namespace } : {}),
        connectTimeoutMs: connectTimeout(this.io.env),
      });
    } catch (error) {
      throw new CliError(isVerkError(error) ? error.message.replace("[redis-store] ", "") : String(error), 2);
    }
    try {
      await store.connect();
    } catch (error) {
      await store.close().catch(() => {});
      throw connectionError(error, this.maskedUrl);
    }
    this.#store = store;
    return store;
  }

  /** The admin API on the connected store. */
  async admin(): Promise<RedisAdmin> {
    return new RedisAdmin(await this.store());
  }

  /** Close the store if one was opened. */
  async close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    await store?.close().catch(() => {});
  }
}

/** A one-line error for an unreachable Redis, naming the masked URL. */
export function connectionError(error: unknown, maskedUrl: string): CliError {
  const message = error instanceof Error ? error.message : String(error);
  if (isVerkError(error) && error.code === "INVALID_OPTION" && error.field === "cluster")
    return new CliError(
      `${maskedUrl} is a Redis Cluster node: pass --cluster-nodes ${maskedUrl} (or set VERK_CLUSTER_NODES) to run on the cluster`,
    );
  // Reached, but unusable as configured (e.g. a database index the server does not have).
  if (isVerkError(error) && (error.code === "UNSUPPORTED_REDIS" || error.code === "INVALID_OPTION"))
    return new CliError(message.replace("[redis-store] ", ""));
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  const reason = cause || message.replace(/^.*could not connect to \S+ /, "").replace("[redis-store] ", "");
  return new CliError(`cannot reach Redis at ${maskedUrl}${reason ? ` (${reason})` : ""}`);
}

/** `url` (masked), or `redis cluster <node>,…` (masked) when `clusterNodes` is given. */
export function describeTarget(url: string, clusterNodes: readonly string[] | undefined): string {
  return clusterNodes ? `redis cluster ${clusterNodes.map(maskUrl).join(",")}` : maskUrl(url);
}

/**
 * Parse `--cluster-nodes` / `VERK_CLUSTER_NODES`: comma-separated `redis://` or `rediss://` URLs.
 * @throws UsageError naming `source` for an empty list or a value that is not such a URL.
 */
export function parseClusterNodes(text: string | undefined, source: string): string[] | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const nodes = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const node of nodes) {
    if (!/^rediss?:\/\/[^/\s]+/.test(node))
      throw new UsageError(
        `${source}: "${maskUrl(node)}" is not a redis:// URL (example: redis://10.0.0.1:7000,redis://10.0.0.2:7000)`,
      );
  }
  return nodes;
}

/** Resolve the global options from parsed flags and the environment. */
export function globalOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv): GlobalOptions {
  const url = (values["redis-url"] as string | undefined) ?? env.REDIS_URL ?? DEFAULT_URL;
  const namespace = (values.namespace as string | undefined) ?? (env.VERK_NAMESPACE || undefined);
  const clusterFlag = values["cluster-nodes"] as string | undefined;
  const clusterNodes =
    clusterFlag !== undefined
      ? parseClusterNodes(clusterFlag, "--cluster-nodes")
      : parseClusterNodes(env.VERK_CLUSTER_NODES, "VERK_CLUSTER_NODES");
  return {
    json: values.json === true,
    redisUrl: url,
    clusterNodes,
    namespace,
    colour: values["no-color"] !== true,
  };
}

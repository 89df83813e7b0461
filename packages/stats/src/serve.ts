import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** TCP port; 0 picks a free one. (Default: 9464) */
  port?: number;
  /** Interface to listen on. (Default: `"127.0.0.1"`, local only) */
  host?: string;
  /** Path answering the metrics. (Default: `"/metrics"`) */
  path?: string;
}

/** A running metrics server. */
export interface MetricsServer {
  /** `http://host:port/path`. */
  readonly url: string;
  readonly port: number;
  /** Stop listening and drop open connections (keep-alive scrapers too). Idempotent. */
  close(): Promise<void>;
}

/** What {@link serveMetrics} serves: the stats plugin, or any prom-client `Registry`. */
export interface MetricsSource {
  metrics(): Promise<string>;
  /** The exposition's content type (prom-client registries have one). */
  readonly contentType?: string;
}

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
const servers = new WeakMap<object, Set<MetricsServer>>();

/**
 * Serve `source.metrics()` over HTTP (node:http) for Prometheus to scrape. Other paths answer 404;
 * a failing `metrics()` answers 500. Resolves a {@link MetricsServer}: `close()` it when done. A
 * server serving the stats plugin is also closed when that plugin stops (`verk.stop()` of a
 * started node), so the process can exit by itself.
 * @example
 * const server = await serveMetrics(verkStats, { port: 9464 });
 */
export async function serveMetrics(
  source: MetricsSource,
  options: ServeMetricsOptions = {},
): Promise<MetricsServer> {
  const host = options.host ?? "127.0.0.1";
  const path = options.path ?? "/metrics";
  const server = createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || url !== path) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    Promise.resolve()
      .then(() => source.metrics())
      .then(
        (text) => res.writeHead(200, { "content-type": source.contentType ?? CONTENT_TYPE }).end(text),
        (error: unknown) =>
          res.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${String(error)}\n`),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 9464, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const handle: MetricsServer = {
    url: `http://${host}:${port}${path}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        servers.get(source)?.delete(handle);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  let set = servers.get(source);
  if (!set) {
    set = new Set();
    servers.set(source, set);
  }
  set.add(handle);
  return handle;
}

/** Close every server {@link serveMetrics} started for `source`. @internal */
export async function closeServersOf(source: object): Promise<void> {
  await Promise.all([...(servers.get(source) ?? [])].map((s) => s.close()));
}

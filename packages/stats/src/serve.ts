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
  /** Stop listening. */
  close(): Promise<void>;
}

/**
 * Serve `source.metrics()` over HTTP (node:http) for Prometheus to scrape. Other paths answer 404;
 * a failing `metrics()` answers 500.
 * @example
 * const server = await serveMetrics(verkStats, { port: 9464 });
 */
export async function serveMetrics(
  source: { metrics(): Promise<string> },
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
    source.metrics().then(
      (text) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(text),
      (error: unknown) =>
        res.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 9464, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}${path}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

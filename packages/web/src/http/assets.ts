import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SECURITY_HEADERS } from "./respond.js";

/** One served file. */
interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

function assetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "assets");
    if (existsSync(join(candidate, "app.js"))) return candidate;
    dir = dirname(dir);
  }
  throw new Error("@verk/web: its assets folder is missing (reinstall the package)");
}

function load(path: string, type: string): Asset {
  const body = readFileSync(path);
  return { body, type, etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 16)}"` };
}

let cache: Map<string, Asset> | undefined;

/** The files under `/assets/`: the client script and styles, and uPlot (served from its npm package). */
export function assets(): Map<string, Asset> {
  if (cache) return cache;
  const dir = assetsDir();
  const require = createRequire(import.meta.url);
  cache = new Map([
    ["app.js", load(join(dir, "app.js"), "text/javascript; charset=utf-8")],
    ["layout.css", load(join(dir, "layout.css"), "text/css; charset=utf-8")],
    ["app.css", load(join(dir, "app.css"), "text/css; charset=utf-8")],
    ["uplot.js", load(require.resolve("uplot/dist/uPlot.iife.min.js"), "text/javascript; charset=utf-8")],
    ["uplot.css", load(require.resolve("uplot/dist/uPlot.min.css"), "text/css; charset=utf-8")],
    ["icon.svg", load(join(dir, "icon.svg"), "image/svg+xml")],
  ]);
  return cache;
}

/** A version string of the assets, appended to their URLs so browsers may cache them for good. */
export function assetVersion(): string {
  return (assets().get("app.js")?.etag ?? "").replace(/"/g, "").slice(0, 8);
}

/** Serve `/assets/<name>`; resolves false when there is no such asset. */
export function serveAsset(req: IncomingMessage, res: ServerResponse, name: string): boolean {
  const asset = assets().get(name);
  if (!asset) return false;
  const headers = {
    ...SECURITY_HEADERS,
    "content-type": asset.type,
    etag: asset.etag,
    "cache-control": "private, max-age=31536000, immutable",
  };
  if (req.headers["if-none-match"] === asset.etag) {
    res.writeHead(304, headers).end();
    return true;
  }
  res.writeHead(200, { ...headers, "content-length": String(asset.body.length) });
  res.end(req.method === "HEAD" ? undefined : asset.body);
  return true;
}

import type { ServerResponse } from "node:http";
import type { SafeHtml } from "../html/escape.js";

/**
 * Headers on every response: a strict Content-Security-Policy (scripts, styles and connections
 * from this origin only, so even a markup injection could not run a script), no framing, no sniffing.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

/** Headers added by the request pipeline (cookies) before the response is written. */
export type ExtraHeaders = Record<string, string | string[]>;

/** Send an HTML page. */
export function sendHtml(
  res: ServerResponse,
  status: number,
  body: SafeHtml | string,
  extra: ExtraHeaders = {},
) {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(String(body));
}

/** Send JSON. */
export function sendJson(res: ServerResponse, status: number, value: unknown, extra: ExtraHeaders = {}) {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(JSON.stringify(value));
}

/** Send plain text (errors before a page can be rendered). */
export function sendText(res: ServerResponse, status: number, text: string, extra: ExtraHeaders = {}) {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(`${text}\n`);
}

/** Redirect after a POST (303: the browser follows with a GET). */
export function redirect(res: ServerResponse, location: string, extra: ExtraHeaders = {}) {
  res.writeHead(303, { ...SECURITY_HEADERS, ...extra, location, "cache-control": "no-store" });
  res.end();
}

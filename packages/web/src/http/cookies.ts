import type { IncomingMessage } from "node:http";

/** The cookies of a request (name → decoded value; malformed pairs are skipped). */
export function readCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // skip a malformed value
    }
  }
  return out;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Strict, scoped to `path`. */
export function cookie(name: string, value: string, path: string, maxAgeSeconds?: number): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${path || "/"}`,
    "HttpOnly",
    "SameSite=Strict",
  ];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  return parts.join("; ");
}

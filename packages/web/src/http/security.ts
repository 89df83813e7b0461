import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Compare two strings in constant time (for their length). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when the request carries these HTTP Basic credentials. */
export function basicAuthOk(req: IncomingMessage, auth: { username: string; password: string }): boolean {
  const header = req.headers.authorization ?? "";
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return false;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const i = text.indexOf(":");
  if (i < 0) return false;
  // Both compared, always, so timing does not tell which one was wrong.
  const userOk = safeEqual(text.slice(0, i), auth.username);
  const passOk = safeEqual(text.slice(i + 1), auth.password);
  return userOk && passOk;
}

/** Name of the cookie holding the browser's CSRF secret. */
export const CSRF_COOKIE = "verk_csrf";

/**
 * CSRF protection: a random per-browser value in an HttpOnly, SameSite=Strict cookie, and in every
 * form its HMAC under the dashboard's secret. A POST must carry both (matching), and must not come
 * from another origin (`Sec-Fetch-Site`, `Origin`).
 */
export class Csrf {
  readonly #secret: Buffer;

  constructor(secret?: string) {
    this.#secret = secret ? Buffer.from(secret) : randomBytes(32);
  }

  /** A new browser value for the cookie. */
  newValue(): string {
    return randomBytes(24).toString("base64url");
  }

  /** The form token for the browser value `value`. */
  token(value: string): string {
    return createHmac("sha256", this.#secret).update(value).digest("base64url");
  }

  /** Why a POST is refused, or `undefined` when it may go on. */
  refusal(
    req: IncomingMessage,
    cookieValue: string | undefined,
    token: string | undefined,
  ): string | undefined {
    const site = req.headers["sec-fetch-site"];
    if (typeof site === "string" && site !== "same-origin" && site !== "none")
      return `cross-site request refused (Sec-Fetch-Site: ${site})`;
    const origin = req.headers.origin;
    if (typeof origin === "string" && origin !== "null") {
      let host = "";
      try {
        host = new URL(origin).host;
      } catch {
        host = "";
      }
      if (host !== req.headers.host) return "cross-origin request refused (Origin does not match Host)";
    } else if (origin === "null") return "request from an opaque origin refused";
    if (!cookieValue || !token) return "missing CSRF token: reload the page and try again";
    if (!safeEqual(this.token(cookieValue), token))
      return "invalid CSRF token: reload the page and try again";
    return undefined;
  }
}

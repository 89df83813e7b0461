import { inflateSync } from "node:zlib";

/** Lines of a Sidekiq `error_backtrace` (Base64 of deflated JSON). */
export function decompressBacktrace(value: string): string[] {
  return JSON.parse(inflateSync(Buffer.from(value.replace(/\n/g, ""), "base64")).toString("utf8"));
}

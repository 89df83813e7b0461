import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** A Sidekiq job id: 24 lowercase hex characters (12 random bytes). */
export function generateJid(): string {
  return randomBytes(12).toString("hex");
}

/**
 * A node identity unique per process: `<hostname>:<pid>:<12 hex chars>`, the same shape as a
 * Sidekiq process identity. The host name comes from `DYNO` when set (as in Sidekiq).
 */
export function generateNodeId(): string {
  const host = process.env.DYNO || hostname();
  return `${host}:${process.pid}:${randomBytes(6).toString("hex")}`;
}

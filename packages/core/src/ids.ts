import { randomBytes, randomFillSync } from "node:crypto";
import { hostname } from "node:os";

/** Jids drawn from one `randomFillSync` call: one system call per 256 jids instead of one per jid. */
const JIDS_PER_FILL = 256;
const JID_BYTES = 12;
const jidPool = Buffer.allocUnsafe(JIDS_PER_FILL * JID_BYTES);
let jidOffset = jidPool.length;

/** A Sidekiq job id: 24 lowercase hex characters (12 random bytes from the CSPRNG, drawn from a pool). */
export function generateJid(): string {
  if (jidOffset === jidPool.length) {
    randomFillSync(jidPool);
    jidOffset = 0;
  }
  const start = jidOffset;
  jidOffset += JID_BYTES;
  return jidPool.toString("hex", start, jidOffset);
}

/**
 * A node identity unique per process: `<hostname>:<pid>:<12 hex chars>`, the same shape as a
 * Sidekiq process identity. The host name comes from `DYNO` when set (as in Sidekiq).
 */
export function generateNodeId(): string {
  const host = process.env.DYNO || hostname();
  return `${host}:${process.pid}:${randomBytes(6).toString("hex")}`;
}

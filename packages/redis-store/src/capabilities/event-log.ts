import type { EventLogCapability, EventLogEntry, EventLogReader } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import type { CapabilityKeys } from "./keys.js";

/** {@link EventLogCapability} on Redis: a stream trimmed with `XADD MAXLEN ~`, read with `XREAD BLOCK`. */
export function redisEventLog(
  client: Redis,
  keys: CapabilityKeys,
  duplicate: () => Redis,
): EventLogCapability {
  return {
    async append(entries, maxLen) {
      if (entries.length === 0) return;
      const limit = String(Math.max(1, Math.floor(maxLen)));
      await Promise.all(
        entries.map((data) => client.xadd(keys.events, "MAXLEN", "~", limit, "*", "d", data)),
      );
    },
    async lastId() {
      const last = (await client.xrevrange(keys.events, "+", "-", "COUNT", 1)) as [string, string[]][];
      return last[0]?.[0] ?? "0-0";
    },
    openReader(): EventLogReader {
      let conn: Redis | undefined;
      let closed = false;
      return {
        async read(afterId, count, blockMs) {
          if (closed) return [];
          conn ??= duplicate();
          const args: (string | number)[] = ["COUNT", Math.max(1, Math.floor(count))];
          if (blockMs > 0) args.push("BLOCK", Math.floor(blockMs));
          args.push("STREAMS", keys.events, afterId);
          let reply: unknown;
          try {
            reply = await (conn.xread as (...a: (string | number)[]) => Promise<unknown>)(...args);
          } catch (error) {
            if (closed) return [];
            throw error;
          }
          return parseXread(reply);
        },
        async close() {
          if (closed) return;
          closed = true;
          const c = conn;
          conn = undefined;
          if (c) c.disconnect(); // cuts a pending XREAD BLOCK at once
        },
      };
    },
  };
}

function parseXread(reply: unknown): EventLogEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: EventLogEntry[] = [];
  for (const [, entries] of reply as [string, [string, string[]][]][]) {
    for (const [id, fields] of entries) {
      const i = fields.indexOf("d");
      out.push({ id, data: i >= 0 ? (fields[i + 1] ?? "") : "" });
    }
  }
  return out;
}

import type { DueWatchCapability } from "@verk/core";
import type { RedisClient as Redis } from "../client.js";
import { closeConnection } from "../connection.js";
import { formatSeconds } from "../scripts.js";
import type { CapabilityKeys } from "./keys.js";

/**
 * {@link DueWatchCapability} on Redis: PUBLISH on `verk:due`; one subscriber connection,
 * opened with the first listener and closed with the last.
 */
export function redisDueWatch(
  client: Redis,
  keys: CapabilityKeys,
  duplicate: () => Redis,
): DueWatchCapability {
  const listeners = new Set<(at: number) => void>();
  let conn: Redis | undefined;
  let ready: Promise<unknown> | undefined;
  return {
    async notify(at) {
      if (!Number.isFinite(at)) return;
      await client.publish(keys.due, formatSeconds(at)).catch(() => {});
    },
    async subscribe(listener) {
      if (!conn) {
        const c = duplicate();
        conn = c;
        c.on("message", (channel: string, text: string) => {
          if (channel !== keys.due) return;
          const at = Number(text);
          if (!Number.isFinite(at)) return;
          for (const l of [...listeners]) l(at);
        });
        ready = c.subscribe(keys.due);
      }
      const entry = (at: number) => listener(at);
      listeners.add(entry);
      try {
        await ready;
      } catch (error) {
        listeners.delete(entry);
        throw error;
      }
      return async () => {
        listeners.delete(entry);
        if (listeners.size === 0 && conn) {
          const c = conn;
          conn = undefined;
          ready = undefined;
          await closeConnection(c).catch(() => {});
        }
      };
    },
  };
}

import type { ControlMessage } from "@verk/core";
import type { RedisClient as Redis } from "./client.js";
import { closeConnection } from "./connection.js";

/**
 * Parse a message of the control channel: JSON `{"type":"pause"|"resume","queue":"<name>"}`.
 * @returns the message, or `undefined` when it is malformed (it is then ignored).
 */
export function parseControlMessage(text: string): ControlMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const { type, queue } = value as { type?: unknown; queue?: unknown };
  if ((type !== "pause" && type !== "resume") || typeof queue !== "string" || queue === "") return undefined;
  return { type, queue };
}

/** Encode a control message for PUBLISH. */
export function encodeControlMessage(message: ControlMessage): string {
  return JSON.stringify({ type: message.type, queue: message.queue });
}

/** The store's single subscriber connection, created on the first `subscribe`. */
export class ControlSubscriber {
  readonly #channel: string;
  readonly #create: () => Redis;
  readonly #listeners = new Set<(message: ControlMessage) => void>();
  #conn: Redis | undefined;
  #ready: Promise<void> | undefined;

  constructor(channel: string, create: () => Redis) {
    this.#channel = channel;
    this.#create = create;
  }

  /** Add `listener`; resolves, once SUBSCRIBE is confirmed, a function that removes it. */
  async subscribe(listener: (message: ControlMessage) => void): Promise<() => Promise<void>> {
    if (this.#ready === undefined) {
      const conn = this.#create();
      this.#conn = conn;
      conn.on("message", (channel: string, text: string) => {
        if (channel !== this.#channel) return;
        const message = parseControlMessage(text);
        if (message === undefined) return;
        for (const l of [...this.#listeners]) l(message);
      });
      this.#ready = conn.subscribe(this.#channel).then(
        () => {},
        (error: unknown) => {
          this.#ready = undefined;
          this.#conn = undefined;
          conn.disconnect();
          throw error;
        },
      );
    }
    await this.#ready;
    // A fresh function per call, so the same listener added twice is removed once per call.
    const entry = (message: ControlMessage) => listener(message);
    this.#listeners.add(entry);
    return async () => {
      this.#listeners.delete(entry);
    };
  }

  /** Drop every listener and close the connection. Idempotent. */
  async close(): Promise<void> {
    this.#listeners.clear();
    const conn = this.#conn;
    this.#conn = undefined;
    this.#ready = undefined;
    if (conn) await closeConnection(conn);
  }
}

import type { IncomingMessage } from "node:http";
import { VerkError } from "@verk/core";

/** Largest form body read, bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A parsed form: every field's values in order. */
export type Form = Map<string, string[]>;

function fromObject(body: Record<string, unknown>): Form {
  const form: Form = new Map();
  for (const [key, value] of Object.entries(body)) {
    const values = Array.isArray(value) ? value : [value];
    form.set(
      key.replace(/\[\]$/, ""),
      values.filter((v) => v !== undefined && v !== null).map((v) => String(v)),
    );
  }
  return form;
}

/**
 * Read an `application/x-www-form-urlencoded` body (at most 1 MB). A body already parsed by a
 * framework (`req.body`, e.g. Express's `urlencoded()`) is used as it is.
 * @throws VerkError `INVALID_OPTION` for a body over the limit.
 */
export async function readForm(req: IncomingMessage): Promise<Form> {
  const parsed = (req as { body?: unknown }).body;
  if (parsed && typeof parsed === "object" && !Buffer.isBuffer(parsed))
    return fromObject(parsed as Record<string, unknown>);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_BODY_BYTES)
      throw new VerkError("INVALID_OPTION", "form body too large", { field: "body" });
    chunks.push(buf);
  }
  const text = typeof parsed === "string" ? parsed : Buffer.concat(chunks).toString("utf8");
  const form: Form = new Map();
  for (const [key, value] of new URLSearchParams(text)) {
    const name = key.replace(/\[\]$/, "");
    form.set(name, [...(form.get(name) ?? []), value]);
  }
  return form;
}

/** The first value of `name`, or `undefined`. */
export function field(form: Form, name: string): string | undefined {
  return form.get(name)?.[0];
}

/**
 * Edits of the top-level members of a job's JSON text, without parsing or re-encoding the rest:
 * a payload keeps its exact formatting (cjson or JSON.parse + stringify would turn `[]` into
 * `{}` or `1.0` into `1`, which Sidekiq 8 reads as milliseconds). The scanner jumps from one
 * structural character to the next (regex and `indexOf`, C++ speed in V8) and never recurses, so
 * no nesting depth can overflow it.
 */

/** One top-level member of a JSON object text. */
export interface TopLevelMember {
  /** The member's name (its JSON string decoded). */
  readonly name: string;
  /** Index of the opening quote of its name. */
  readonly start: number;
  /** Index of the first character of its value. */
  readonly valueStart: number;
  /** Index just past its value. */
  readonly end: number;
}

const STRUCTURE = /["{}[\]]/g;
const SCALAR_END = /[\s,}\]]/g;

/** Index just past the JSON string whose opening quote is at `i`, or -1. */
function stringEnd(s: string, i: number): number {
  let j = i;
  for (;;) {
    j = s.indexOf('"', j + 1);
    if (j < 0) return -1;
    let backslashes = 0;
    for (let k = j - 1; s.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return j + 1;
  }
}

/** Index just past the JSON value starting at `i`, or -1 when it is cut off. */
function valueEnd(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return stringEnd(s, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    STRUCTURE.lastIndex = i;
    for (;;) {
      const m = STRUCTURE.exec(s);
      if (m === null) return -1;
      const ch = m[0];
      if (ch === '"') {
        const end = stringEnd(s, m.index);
        if (end < 0) return -1;
        STRUCTURE.lastIndex = end;
      } else if (ch === "{" || ch === "[") depth++;
      else if (--depth === 0) return m.index + 1;
    }
  }
  SCALAR_END.lastIndex = i;
  const m = SCALAR_END.exec(s);
  return m === null ? s.length : m.index;
}

function skipSpace(s: string, i: number): number {
  let j = i;
  while (j < s.length) {
    const code = s.charCodeAt(j);
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) break;
    j++;
  }
  return j;
}

/**
 * The top-level members of `text`, in order, or `undefined` when it is not a JSON object
 * (checked structurally, not validated in depth).
 */
export function topLevelMembers(text: string): TopLevelMember[] | undefined {
  let i = skipSpace(text, 0);
  if (text[i] !== "{") return undefined;
  i = skipSpace(text, i + 1);
  const members: TopLevelMember[] = [];
  if (text[i] === "}") return skipSpace(text, i + 1) === text.length ? members : undefined;
  for (;;) {
    if (text[i] !== '"') return undefined;
    const nameEnd = stringEnd(text, i);
    if (nameEnd < 0) return undefined;
    let name: string;
    try {
      name = JSON.parse(text.slice(i, nameEnd)) as string;
    } catch {
      return undefined;
    }
    const colon = skipSpace(text, nameEnd);
    if (text[colon] !== ":") return undefined;
    const valueStart = skipSpace(text, colon + 1);
    const end = valueEnd(text, valueStart);
    if (end < 0 || end === valueStart) return undefined;
    members.push({ name, start: i, valueStart, end });
    const next = skipSpace(text, end);
    if (text[next] === "}") return skipSpace(text, next + 1) === text.length ? members : undefined;
    if (text[next] !== ",") return undefined;
    i = skipSpace(text, next + 1);
  }
}

/** The parsed value of top-level member `name`, or `undefined` when absent or unreadable. */
export function readMember(text: string, members: readonly TopLevelMember[], name: string): unknown {
  const member = members.find((m) => m.name === name);
  if (member === undefined) return undefined;
  try {
    return JSON.parse(text.slice(member.valueStart, member.end));
  } catch {
    return undefined;
  }
}

/**
 * `text` with the top-level members named in `remove` taken out and `add` (name → JSON text of
 * the value) appended at the end, in order. Everything else is kept byte for byte.
 */
export function editMembers(
  text: string,
  members: readonly TopLevelMember[],
  remove: readonly string[],
  add: readonly (readonly [string, string])[],
): string {
  const cuts: [number, number][] = [];
  members.forEach((member, k) => {
    if (!remove.includes(member.name)) return;
    // A member and the comma before it; the first member and the comma after it.
    if (k > 0) cuts.push([members[k - 1]!.end, member.end]);
    else cuts.push([member.start, members[1]?.start ?? member.end]);
  });
  cuts.sort((a, b) => a[0] - b[0]);
  let out = "";
  let cursor = 0;
  for (const [from, to] of cuts) {
    if (from > cursor) out += text.slice(cursor, from);
    cursor = Math.max(cursor, to);
  }
  const close = text.lastIndexOf("}");
  out += text.slice(cursor, close);
  const remaining = members.length - members.filter((m) => remove.includes(m.name)).length;
  let count = remaining;
  for (const [name, json] of add) {
    out += `${count > 0 ? "," : ""}${JSON.stringify(name)}:${json}`;
    count++;
  }
  return out + text.slice(close);
}

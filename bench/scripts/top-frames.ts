/**
 * Summarise a V8 `.cpuprofile`: the top frames by self time, and self time by package.
 * `node --import tsx scripts/top-frames.ts <file.cpuprofile> [top=25]`
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error("usage: top-frames.ts <file.cpuprofile> [top]");
const top = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

function where(url: string): string {
  if (!url) return "(native)";
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ws = /packages\/([^/]+)\//.exec(url);
  if (ws) return `@verk/${ws[1]}`;
  if (url.startsWith("node:")) return "node:internal";
  return url.split("/").slice(-2).join("/");
}

const frames = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const key = `${functionName || "(anonymous)"}  ${where(url)}${url ? `:${lineNumber + 1}` : ""}`;
  frames.set(key, (frames.get(key) ?? 0) + us);
  packages.set(where(url), (packages.get(where(url)) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.log(`total sampled: ${(total / 1000).toFixed(0)} ms\n\nself time by package:`);
for (const [name, us] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 12))
  console.log(`${pct(us)}  ${name}`);
console.log(`\ntop ${top} frames by self time:`);
for (const [name, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(us)}  ${name}`);

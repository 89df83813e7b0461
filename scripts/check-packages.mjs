#!/usr/bin/env node
// Checks every published package (packages/*/package.json without "private": true) as users
// install it: Verk's packaging rules, then publint and are-the-types-wrong on the packed tarball.
// Run by `pnpm lint` after `pnpm build` (the tarballs need dist/). Exits 1 on any problem.
//
// Rules: a LICENSE identical to the root one; a `repository` naming this monorepo and the
// package's directory; every `files` entry exists; `@verk/core` is a peer dependency (one core
// per app) and a devDependency for the workspace, never a regular dependency.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);
const license = readFileSync(join(root, "LICENSE"), "utf8");
const repositoryUrl = JSON.parse(readFileSync(join(root, "packages/core/package.json"), "utf8")).repository
  ?.url;

const packages = readdirSync(join(root, "packages"))
  .map((name) => join(root, "packages", name))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  .filter(({ pkg }) => pkg.private !== true);

/** Verk's own packaging rules; returns the problems found. */
function rules({ dir, pkg }) {
  const problems = [];
  const rel = relative(root, dir);
  const licenseFile = join(dir, "LICENSE");
  if (!existsSync(licenseFile)) problems.push("no LICENSE file (copy the root LICENSE)");
  else if (readFileSync(licenseFile, "utf8") !== license)
    problems.push("LICENSE differs from the root LICENSE");
  if (pkg.license !== "MIT") problems.push(`"license" is ${JSON.stringify(pkg.license)}, expected "MIT"`);
  const repo = pkg.repository;
  if (!repo || typeof repo !== "object") problems.push('no "repository" { type, url, directory }');
  else {
    if (repo.url !== repositoryUrl) problems.push(`"repository.url" is not ${repositoryUrl}`);
    if (repo.directory !== rel) problems.push(`"repository.directory" is not "${rel}"`);
  }
  for (const entry of pkg.files ?? []) {
    if (!existsSync(join(dir, entry))) problems.push(`"files" lists ${entry}, which does not exist`);
  }
  if (!existsSync(join(dir, "dist"))) problems.push("no dist/: run `pnpm build` before `pnpm lint`");
  if (pkg.name !== "@verk/core") {
    if (pkg.dependencies?.["@verk/core"])
      problems.push('"@verk/core" must be a peerDependency, not a dependency');
    const usesCore = pkg.peerDependencies?.["@verk/core"] || pkg.devDependencies?.["@verk/core"];
    if (usesCore && !pkg.peerDependencies?.["@verk/core"])
      problems.push('"@verk/core" must be a peerDependency');
    if (pkg.peerDependencies?.["@verk/core"] && !pkg.devDependencies?.["@verk/core"])
      problems.push('"@verk/core" must also be a devDependency (for the workspace)');
  }
  return problems;
}

/** Run a tool; resolves its problems (its output) when it exits non-zero. */
async function tool(name, args, cwd) {
  try {
    await run(bin(name), args, { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } });
    return [];
  } catch (error) {
    const output = `${error.stdout ?? ""}${error.stderr ?? ""}`.trim();
    return [`${name} failed:\n${output || error.message}`];
  }
}

let failed = 0;
for (const entry of packages) {
  const problems = rules(entry);
  if (problems.length === 0) {
    problems.push(...(await tool("publint", ["--strict", "."], entry.dir)));
    // Internal entry points without types (e.g. a worker-thread module) are not part of the typed API.
    const untyped = Object.entries(entry.pkg.exports ?? {})
      .filter(
        ([key, value]) =>
          key !== "./package.json" && typeof value === "object" && !JSON.stringify(value).includes('"types"'),
      )
      .map(([key]) => key);
    const exclude = untyped.length > 0 ? ["--exclude-entrypoints", ...untyped] : [];
    problems.push(...(await tool("attw", ["--pack", ".", "--format", "ascii", ...exclude], entry.dir)));
  }
  const name = entry.pkg.name;
  if (problems.length === 0) {
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.error(`FAIL ${name}\n${problems.map((p) => `  - ${p.replaceAll("\n", "\n    ")}`).join("\n")}`);
  }
}
if (failed > 0) {
  console.error(`${failed} package(s) are not publishable as they are`);
  process.exit(1);
}
console.log(
  `${packages.length} published packages pass the packaging rules, publint and are-the-types-wrong`,
);

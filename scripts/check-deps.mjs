// `npm run depcruise`: dependency-cruiser's rules (.dependency-cruiser.cjs: layering, file cycles, src → test, orphans), then the
// one rule it cannot state: no two top-level folders of src/ import each other (a folder cycle made of files that do not cycle).
import { cruise } from 'dependency-cruiser';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// The violations the code had when the rules were written (issue 12), each to be removed, never added to:
// a violation not in this list fails, and so does a listed one that is gone (delete its line).
// `node scripts/check-deps.mjs --write-known` rewrites the list from the code as it is.
const KNOWN_FILE = new URL('./known-dependency-violations.json', import.meta.url);
const known = new Set(JSON.parse(readFileSync(KNOWN_FILE, 'utf8')));
const found = [];

const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs');
const { output } = await cruise(['src', 'test', 'bench'], { ...config.options, validate: true, ruleSet: config, outputType: 'json' });
const result = typeof output === 'string' ? JSON.parse(output) : output;

let failures = 0;
for (const v of result.summary.violations) {
  const key = `${v.rule.name}: ${v.from} → ${v.to}`;
  found.push(key);
  if (known.has(key)) continue;
  failures++;
  console.log(`${key}${v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name ?? c).join(' → ')})` : ''}`);
}

const folder = (path) => (/^src\/([^/]+)\//.exec(path) ?? [])[1];
const edges = new Map(); // "a>b" → the file imports that make it
// data-source.ts lists every entity for TypeORM: the composition root, not a dependency of the kernel on features.
const COMPOSITION_ROOTS = new Set(['src/database/data-source.ts']);
for (const m of result.modules.filter((x) => !COMPOSITION_ROOTS.has(x.source)))
  for (const d of m.dependencies) {
    const [a, b] = [folder(m.source), folder(d.resolved)];
    if (a && b && a !== b) edges.set(`${a}>${b}`, [...(edges.get(`${a}>${b}`) ?? []), `${m.source} → ${d.resolved}`]);
  }
for (const [key, files] of [...edges].sort()) {
  const [a, b] = key.split('>');
  if (a > b || !edges.has(`${b}>${a}`)) continue;
  found.push(`no-folder-cycle: ${a} ⇄ ${b}`);
  if (known.has(`no-folder-cycle: ${a} ⇄ ${b}`)) continue;
  failures++;
  console.log(`no-folder-cycle: ${a} ⇄ ${b}`);
  for (const f of [...files, ...edges.get(`${b}>${a}`)]) console.log(`    ${f}`);
}
if (process.argv.includes('--write-known')) {
  writeFileSync(KNOWN_FILE, JSON.stringify(found.sort(), null, 2) + '\n');
  console.log(`${found.length} known violation(s) written to scripts/known-dependency-violations.json`);
  process.exit(0);
}
for (const k of [...known].filter((k) => !found.includes(k))) {
  failures++;
  console.log(`fixed, delete it from scripts/known-dependency-violations.json: ${k}`);
}
if (known.size)
  console.log(
    `(${known.size - [...known].filter((k) => !found.includes(k)).length} known violation(s) still to remove: scripts/known-dependency-violations.json)`,
  );
console.log(failures ? `\n✘ ${failures} dependency violation(s)` : '✔ no dependency violations');
process.exit(failures ? 1 : 0);

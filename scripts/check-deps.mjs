// `npm run depcruise`: dependency-cruiser's rules (.dependency-cruiser.cjs: layering, file cycles, src → test, orphans), then the
// one rule it cannot state: no two top-level folders of src/ import each other (a folder cycle made of files that do not cycle).
import { cruise } from 'dependency-cruiser';
import { createRequire } from 'node:module';

const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs');
const { output } = await cruise(['src', 'test', 'bench'], { ...config.options, validate: true, ruleSet: config, outputType: 'json' });
const result = typeof output === 'string' ? JSON.parse(output) : output;

let failures = 0;
for (const v of result.summary.violations) {
  failures++;
  console.log(`${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name ?? c).join(' → ')})` : ''}`);
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
  failures++;
  console.log(`no-folder-cycle: ${a} ⇄ ${b}`);
  for (const f of [...files, ...edges.get(`${b}>${a}`)]) console.log(`    ${f}`);
}
console.log(failures ? `\n✘ ${failures} dependency violation(s)` : '✔ no dependency violations');
process.exit(failures ? 1 : 0);

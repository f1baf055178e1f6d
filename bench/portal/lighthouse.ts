// Citizen portal benchmark: Lighthouse (npm `lighthouse`, its default mobile settings: a phone's
// screen, simulated slow 4G and a 4× slower CPU) over the built portal (portal/dist) served by the
// application in its own process, with the demo's reports and its SPID citizen. Debian's Chromium
// through chrome-launcher: no browser is downloaded. Results: docs/benchmarks.md.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { DataSource } from 'typeorm';
import { seedDemoCitizen, seedDemoReports, DEMO_CITIZEN } from '../../src/cli/demo-reports.js';
import { dataSourceOptions } from '../../src/database/data-source.js';
import { CITIZEN_COOKIE, sha256 } from '../../src/portal/identity/sessions.js';
import { clearRedisPrefix, createTestDatabase } from '../../test/support/harness.js';
import { REDIS_URL } from '../../test/support/env.js';
import { loadAverage, startBenchApp } from '../support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

interface PageFigures {
  path: string;
  performance: number;
  accessibility: number;
  bestPractices: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  /** Audits below full marks in accessibility, and the largest performance opportunities: what to fix. */
  notes: string[];
}

/** The pages measured; `/bari/segnala` only when this build serves it (the report form). */
const PAGES: Array<{ path: string; loggedIn?: boolean; optional?: boolean }> = [
  { path: '/' },
  { path: '/bari' },
  { path: '/bari/servizi' },
  { path: '/bari/segnalazioni' },
  { path: '/area-personale', loggedIn: true },
  { path: '/bari/segnala', optional: true },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runPortalBenchmark(quick: boolean): Promise<PageFigures[]> {
  if (!existsSync(resolve('portal/dist/index.html'))) {
    console.log('  skipped: the portal is not built (npm run build:web)');
    return [];
  }
  if (!existsSync(CHROMIUM)) {
    console.log(`  skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or CHROMIUM_PATH)`);
    return [];
  }
  const runs = quick ? 1 : 3;
  const db = await createTestDatabase();
  const prefix = `bench-portal-${randomBytes(3).toString('hex')}`;
  const app = await startBenchApp(db.url, prefix, { STAGE_TIMING: 'false' });
  const ds = await new DataSource(dataSourceOptions(db.url)).initialize();
  const chrome = await launch({ chromePath: CHROMIUM, chromeFlags: CHROME_FLAGS, logLevel: 'error' });
  const out: PageFigures[] = [];
  try {
    await seedDemoReports(ds);
    await seedDemoCitizen(ds);
    // Maria Rossi's session, as a login makes it (the cookie's token, its hash stored): the personal area logged in.
    const token = randomBytes(32).toString('base64url');
    await ds.query(
      `INSERT INTO citizen_sessions (id, account_id, assurance, level, expires_at)
       SELECT $1, id, assurance, level, now() + interval '2 hours' FROM citizen_accounts WHERE email = $2`,
      [sha256(token), DEMO_CITIZEN.email],
    );
    let version = '?';
    console.log(
      `  mobile (simulated slow 4G, 4× CPU slowdown), Chromium ${await chromiumVersion(chrome.port)}; median of ${runs} run${runs > 1 ? 's' : ''} per page`,
    );
    console.log(`  ${'page'.padEnd(22)} perf  a11y  best   LCP ms   TBT ms    CLS`);
    for (const p of PAGES) {
      if (p.optional && (await fetch(`${app.base}${p.path}`)).status === 404) {
        console.log(`  ${p.path.padEnd(22)} skipped: this build has no such page`);
        continue;
      }
      const samples: PageFigures[] = [];
      for (let i = 0; i < runs; i++) {
        const result = await lighthouse(`${app.base}${p.path}`, {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility', 'best-practices'],
          extraHeaders: p.loggedIn ? { Cookie: `${CITIZEN_COOKIE}=${token}` } : undefined,
        });
        if (!result) throw new Error(`Lighthouse gave no result for ${p.path}`);
        const lhr = result.lhr;
        version = lhr.lighthouseVersion;
        if (lhr.runtimeError) throw new Error(`${p.path}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
        const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
        const num = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
        const failing = (cat: string) =>
          (lhr.categories[cat]?.auditRefs ?? [])
            .filter((r) => r.weight > 0 && (lhr.audits[r.id]?.score ?? 1) < 1)
            .map((r) => `${cat === 'accessibility' ? 'a11y' : cat}: ${lhr.audits[r.id].title}`);
        const opportunities = Object.values(lhr.audits)
          .filter((a) => a.details?.type === 'opportunity' && (a.numericValue ?? 0) >= 300)
          .map((a) => `perf: ${a.title} (saves ≥ ${Math.floor((a.numericValue ?? 0) / 100) * 100} ms)`);
        // Where the main thread's time goes (at the simulated phone's CPU): what a TBT above 200 ms is made of.
        const items = (id: string) => (lhr.audits[id]?.details as { items?: Array<Record<string, unknown>> } | undefined)?.items ?? [];
        const work = items('mainthread-work-breakdown')
          .slice(0, 4)
          .map((i) => `${String(i.groupLabel)} ${Math.round(Number(i.duration))} ms`);
        const scripts = items('bootup-time')
          .slice(0, 3)
          .map((i) => `${String(i.url).replace(/^.*\//, '')} ${Math.round(Number(i.scripting))} ms`);
        const cpu = num('total-blocking-time') > 200 ? [`cpu: ${work.join(', ')}; scripts: ${scripts.join(', ')}`] : [];
        samples.push({
          path: p.path,
          performance: score('performance'),
          accessibility: score('accessibility'),
          bestPractices: score('best-practices'),
          lcpMs: Math.round(num('largest-contentful-paint')),
          tbtMs: Math.round(num('total-blocking-time')),
          cls: Math.round(num('cumulative-layout-shift') * 1000) / 1000,
          notes: [...failing('accessibility'), ...failing('best-practices'), ...opportunities, ...cpu],
        });
      }
      const m: PageFigures = {
        path: p.path,
        performance: median(samples.map((s) => s.performance)),
        accessibility: median(samples.map((s) => s.accessibility)),
        bestPractices: median(samples.map((s) => s.bestPractices)),
        lcpMs: median(samples.map((s) => s.lcpMs)),
        tbtMs: median(samples.map((s) => s.tbtMs)),
        cls: median(samples.map((s) => s.cls)),
        // One CPU breakdown: the run with the median TBT.
        notes: [
          ...new Set(samples.flatMap((s) => s.notes.filter((n) => !n.startsWith('cpu:')))),
          ...[...samples].sort((a, b) => a.tbtMs - b.tbtMs)[Math.floor(samples.length / 2)].notes.filter((n) => n.startsWith('cpu:')),
        ],
      };
      out.push(m);
      console.log(
        `  ${(p.path + (p.loggedIn ? ' (logged in)' : '')).padEnd(22)} ${String(m.performance).padStart(4)}  ${String(m.accessibility).padStart(4)}  ${String(m.bestPractices).padStart(4)}  ${String(m.lcpMs).padStart(7)}  ${String(m.tbtMs).padStart(7)}  ${m.cls.toFixed(3).padStart(6)}`,
      );
      for (const n of m.notes) console.log(`      ${n}`);
    }
    const below = out.filter((m) => m.accessibility < 95 || m.performance < 90).map((m) => m.path);
    console.log(
      `  Lighthouse ${version}; targets (accessibility ≥ 95, performance ≥ 90): ${below.length ? `missed on ${below.join(', ')}` : 'met on every page'}; load average ${loadAverage()}`,
    );
  } finally {
    chrome.kill();
    await ds.destroy();
    await app.stop();
    await clearRedisPrefix(REDIS_URL, prefix).catch(() => undefined);
    await db.drop();
  }
  return out;
}

async function chromiumVersion(port: number): Promise<string> {
  const v = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { Browser?: string };
  return v.Browser?.replace(/^[^/]*\//, '') ?? '?';
}

// `npm run bench [-- --quick]`: every benchmark, each against its raw ceiling in the same run.
// Load comes from this process; the application runs as a separate process on 127.0.0.1.
// Not part of `npm test`. Results: docs/benchmarks.md.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { runIngestBenchmark } from './ingest/ingest.js';

const quick = process.argv.includes('--quick');

async function main(): Promise<void> {
  console.log(`Sportello benchmarks (${quick ? 'quick' : 'full'})`);
  console.log('\n== Ingest: app channel HTTP → stored → operator socket event');
  await runIngestBenchmark(quick);

  const analytics = resolve('bench/analytics/run.mjs');
  if (existsSync(analytics) && existsSync(resolve('dist/main.js'))) {
    console.log('\n== Analytics (bench/analytics)');
    const mod = await import(pathToFileURL(analytics).href) as { runAnalyticsBenchmark?: (o: { quick: boolean }) => Promise<unknown> };
    await mod.runAnalyticsBenchmark?.({ quick }).catch((err: Error) => console.log(`  skipped: ${err.message} (generate the data set first: node bench/analytics/generate.mjs${quick ? ' --quick' : ''})`));
  } else {
    console.log('\n== Analytics: skipped (needs `npm run build` and bench/analytics)');
  }
  process.exit(0);
}

main().catch((err) => { console.error(err); process.exit(1); });

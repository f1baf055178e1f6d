// `npm run bench [-- --quick] [-- --only=ingest,concurrency,outbound,analytics,portal]`: every benchmark,
// each against its raw ceiling in the same run. Load comes from this process (and, for the
// concurrency benchmark, from client processes it forks); the application runs as a separate
// process on 127.0.0.1. Not part of `npm test`. Results: docs/benchmarks.md.
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { runIngestBenchmark } from './ingest/ingest.js';
import { runConcurrencyBenchmark } from './concurrency/concurrency.js';
import { runOutboundBenchmark } from './outbound/outbound.js';
import { runPortalBenchmark } from './portal/lighthouse.js';
import { loadAverage } from './support.js';
import { adminUrl, REDIS_URL } from '../test/support/env.js';
import { checkPostgresOwner, checkRedis, runCommand, type CommandContext } from '../src/ops/preflight.js';

const quick = process.argv.includes('--quick');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wanted = (name: string) => !only || only.includes(name);

// The benchmarks use the test servers: TEST_PG_URL (a server, without database) and TEST_REDIS_URL.
const services: CommandContext = {
  postgres: [{ url: adminUrl(), variable: 'TEST_PG_URL' }],
  redis: [{ url: REDIS_URL, variable: 'TEST_REDIS_URL' }],
};

async function main(): Promise<void> {
  await checkPostgresOwner({ ...services.postgres![0], postgis: true });
  await checkRedis(services.redis![0]);
  const t0 = performance.now();
  console.log(
    `Sportello benchmarks (${quick ? 'quick' : 'full'}): ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}; load average ${loadAverage()}`,
  );
  if (wanted('ingest')) {
    console.log('\n== Ingest: app channel HTTP → stored → operator socket event');
    await runIngestBenchmark(quick);
  }
  if (wanted('concurrency')) {
    console.log('\n== Concurrency: web-chat citizens + operators held by one application process');
    await runConcurrencyBenchmark(quick);
  }
  if (wanted('outbound')) {
    console.log('\n== Outbound: campaign enqueue, and the send rate under the channel limit');
    await runOutboundBenchmark(quick);
  }
  if (wanted('portal')) {
    console.log('\n== Citizen portal: Lighthouse (mobile) on the built portal with the demo data');
    await runPortalBenchmark(quick);
  }
  if (wanted('analytics')) {
    const analytics = resolve('bench/analytics/run.mjs');
    if (existsSync(analytics) && existsSync(resolve('dist/main.js'))) {
      console.log('\n== Analytics (bench/analytics)');
      const mod = (await import(pathToFileURL(analytics).href)) as { runAnalyticsBenchmark?: (o: { quick: boolean }) => Promise<unknown> };
      // A preflight failure says what to do itself (generate the data set, build, start a service).
      await mod
        .runAnalyticsBenchmark?.({ quick })
        .catch((err: Error) =>
          console.log(
            err.name === 'PreflightError'
              ? `  skipped: ${err.message}`
              : `  skipped: ${err.message} (generate the data set first: node bench/analytics/generate.mjs${quick ? ' --quick' : ''})`,
          ),
        );
    } else {
      console.log('\n== Analytics: skipped (needs `npm run build` and bench/analytics)');
    }
  }
  console.log(`\nDone in ${Math.round((performance.now() - t0) / 1000)} s; load average ${loadAverage()}`);
  process.exit(0);
}

await runCommand('npm run bench', main, services);

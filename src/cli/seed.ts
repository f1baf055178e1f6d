import { pathToFileURL } from 'node:url';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config.js';
import { dataSourceOptions, ensureDatabase, runMigrations } from '../database/data-source.js';
import { importComuni } from '../comuni/comuni-import.js';
import { DEFAULT_DEMO_PASSWORD, seedDemo } from './demo-seed.js';
import { seedDemoCitizen, seedDemoReports } from './demo-reports.js';
import { DEMO_RETENTION, seedDemoPrivacy } from './demo-privacy.js';
import { seedDemoPlanning } from './demo-planning.js';
import { checkPostgresOwner, runCommand } from '../ops/preflight.js';
import { ownerTarget } from './targets.js';

/** Migrates, imports the comuni and (with --demo) creates the demo accounts. */
export async function prepareDatabase(options: { demo: boolean; password?: string }): Promise<void> {
  const config = loadConfig();
  if (options.demo && config.env === 'production' && !options.password) {
    // The demo accounts' default password is published: never on a production database by accident.
    throw new Error('--demo in production needs DEMO_PASSWORD set (the default demo password is public)');
  }
  await ensureDatabase(config.databaseUrl);
  await runMigrations(config.databaseUrl, config.databaseAppPassword);
  const ds = new DataSource(dataSourceOptions(config.databaseUrl));
  await ds.initialize();
  try {
    const n = await importComuni(ds, config.comuniGeojson);
    console.log(`Imported ${n} comuni with their boundaries and competence groups.`);
    if (options.demo) {
      await seedDemo(ds, options.password ?? DEFAULT_DEMO_PASSWORD);
      console.log('Demo accounts ready.');
      const reports = await seedDemoReports(ds);
      if (reports) console.log(`Demo reports from the portal: ${reports} in Bari, Modugno and Monopoli.`);
      await seedDemoCitizen(ds);
      console.log(
        'Demo citizen Maria Rossi (SPID): two requests in «Le mie richieste», WhatsApp linked, updates by WhatsApp, a consent withdrawn.',
      );
      await seedDemoPrivacy(ds);
      console.log(`Privacy: ${DEMO_RETENTION.comune} keeps closed cases ${DEMO_RETENTION.months} months; a few lines in its privacy log.`);
      if (await seedDemoPlanning(ds)) console.log('Participatory planning: Bari’s San Girolamo waterfront, with preferences and remarks.');
    }
  } finally {
    await ds.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const demo = process.argv.includes('--demo');
  await runCommand(
    demo ? 'seed --demo' : 'seed',
    async () => {
      const config = loadConfig();
      await checkPostgresOwner({ ...ownerTarget(config), createsDatabase: true });
      await prepareDatabase({ demo, password: process.env.DEMO_PASSWORD || undefined });
    },
    () => ({ postgres: [ownerTarget(loadConfig())] }),
  );
}

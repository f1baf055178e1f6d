import { loadConfig } from '../config/config.js';
import { ensureDatabase, runMigrations } from '../database/data-source.js';
import { checkPostgresOwner, runCommand } from '../ops/preflight.js';
import { ownerTarget } from './targets.js';

/** `npm run migrate`: creates the database when missing and applies the migrations (as the schema's owner). */
await runCommand(
  'npm run migrate',
  async () => {
    const config = loadConfig();
    await checkPostgresOwner({ ...ownerTarget(config), createsDatabase: true });
    await ensureDatabase(config.databaseUrl);
    const done = await runMigrations(config.databaseUrl, config.databaseAppPassword);
    console.log(done.length ? `Applied migrations: ${done.join(', ')}` : 'Database schema is up to date.');
  },
  () => ({ postgres: [ownerTarget(loadConfig())] }),
);

import { loadConfig } from '../config/config.js';
import { ensureDatabase, runMigrations } from '../database/data-source.js';

const config = loadConfig();
await ensureDatabase(config.databaseUrl);
const done = await runMigrations(config.databaseUrl, config.databaseAppPassword);
console.log(done.length ? `Applied migrations: ${done.join(', ')}` : 'Database schema is up to date.');

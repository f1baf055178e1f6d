import { loadConfig } from './config/config.js';
import { MIGRATIONS } from './database/data-source.js';
import { appTarget, redisTarget } from './cli/targets.js';
import { checkPostgresApp, checkRedis, runCommand } from './ops/preflight.js';
import { quietBoot } from './ops/quiet-boot.js';

/**
 * `npm start`: checks that PostgreSQL (as the application's role, with this version's schema) and
 * Redis answer, then boots Nest. Bad configuration: one line per problem, exit 78; a service
 * missing: one line saying what to do, exit 69.
 */
await runCommand(
  'npm start',
  async () => {
    const config = loadConfig();
    await checkPostgresApp({ url: config.databaseAppUrl, migrations: MIGRATIONS.map((m) => m.name) });
    await checkRedis(redisTarget(config));
    const { createApp } = await import('./bootstrap.js');
    const app = await quietBoot(() => createApp(config));
    await app.listen(config.port, '0.0.0.0');
    console.log(JSON.stringify({ msg: `Sportello (${config.role}) listening on http://localhost:${config.port}` }));
  },
  () => {
    const config = loadConfig();
    return { postgres: [appTarget(config)], redis: [redisTarget(config)] };
  },
);

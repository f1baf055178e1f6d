import type { AppConfig } from '../config/config.js';
import type { PostgresTarget, RedisTarget } from '../ops/preflight.js';

/** The services a command uses, as the preflight names them to the operator. */
export const ownerTarget = (config: AppConfig): PostgresTarget => ({ url: config.databaseUrl, variable: 'DATABASE_URL' });
export const appTarget = (config: AppConfig): PostgresTarget => ({
  url: config.databaseAppUrl,
  variable: 'DATABASE_URL (or DATABASE_APP_URL)',
  appRole: true,
});
export const redisTarget = (config: AppConfig): RedisTarget => ({ url: config.redisUrl, variable: 'REDIS_URL' });

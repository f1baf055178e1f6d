import { resolve } from 'node:path';

export const PG_BASE = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEMPLATE_DB = 'sportello_test_template';
export const TEST_PASSWORD = 'test-password';
/** The boundaries the issue names for tests: the shared data folder beside the repository. */
export const SHARED_GEOJSON = resolve(process.env.SHARED_DIR ?? '../shared', 'data/comuni-citta-metropolitana-bari.geojson');

export const databaseUrl = (name: string) => `${PG_BASE}/${name}`;
export const adminUrl = () => databaseUrl('postgres');

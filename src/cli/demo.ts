import { loadConfig } from '../config/config.js';
import { createApp } from '../bootstrap.js';
import { DEFAULT_DEMO_PASSWORD } from '../database/demo-seed.js';
import { prepareDatabase } from './seed.js';

/** `npm run demo`: database, comuni, demo accounts, then the whole product in one process. */
const password = process.env.DEMO_PASSWORD || DEFAULT_DEMO_PASSWORD;
await prepareDatabase({ demo: true, password });
const config = loadConfig();
const app = await createApp(config);
await app.listen(config.port, '0.0.0.0');
const base = `http://localhost:${config.port}`;
console.log(`
Sportello is running at ${base}
  API docs ........ ${base}/api/docs
  Health .......... ${base}/health/ready
  Queues .......... ${base}/admin/queues (admin@metro.demo)
Demo accounts (password "${password}"):
  operatore@bari.demo, supervisore@bari.demo, manager@bari.demo, … for every comune; admin@metro.demo
App channel key for Bari: demo-app-key-bari
`);

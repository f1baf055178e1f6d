import { ConfigError, loadConfig } from './config/config.js';
import { createApp } from './bootstrap.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await createApp(config);
  await app.listen(config.port, '0.0.0.0');
  console.log(JSON.stringify({ msg: `Sportello (${config.role}) listening on http://localhost:${config.port}` }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config/config.js';
import { DEFAULT_DEMO_PASSWORD } from './demo-seed.js';
import { MIGRATIONS } from '../database/data-source.js';
import { checkPostgresApp, checkPostgresOwner, checkRedis, runCommand } from '../ops/preflight.js';
import { quietBoot } from '../ops/quiet-boot.js';
import { prepareDatabase } from './seed.js';
import { appTarget, ownerTarget, redisTarget } from './targets.js';

/** `npm run demo`: database, comuni, demo accounts, then the whole product in one process. */
await runCommand(
  'npm run demo',
  async () => {
    let config = loadConfig();
    // Everything the demo needs answers before anything is changed: one line saying what is missing.
    await checkPostgresOwner({ ...ownerTarget(config), createsDatabase: true });
    await checkRedis(redisTarget(config));
    const password = process.env.DEMO_PASSWORD || DEFAULT_DEMO_PASSWORD;
    await prepareDatabase({ demo: true, password });
    // The application's role exists now (the migrations create it): it must be able to log in.
    await checkPostgresApp({ url: config.databaseAppUrl, migrations: MIGRATIONS.map((m) => m.name) });
    // SPID/CIE: unless a gateway is configured, the development identity provider plays it, on loopback.
    let idpLines = `SPID/CIE login: the gateway at ${config.portal.oidcIssuer ?? '(none: PORTAL_OIDC_ISSUER is not set)'}`;
    if (!config.portal.oidcIssuer && config.env !== 'production') {
      const client = { clientId: 'sportello-demo', clientSecret: randomBytes(24).toString('hex') };
      // Loaded only here: oidc-provider warns on import about Node 20, which must not precede a preflight's one line.
      const { startDevIdp } = await import('../portal/dev-idp/dev-idp.js');
      const idp = await startDevIdp({
        nodeEnv: config.env,
        port: Number(process.env.PORTAL_DEV_IDP_PORT) || 3100,
        clients: [{ ...client, redirectUris: [config.portal.redirectUri], postLogoutRedirectUris: [config.portal.postLogoutRedirectUri] }],
      });
      config = loadConfig({
        ...process.env,
        PORTAL_OIDC_ISSUER: idp.issuer,
        PORTAL_OIDC_CLIENT_ID: client.clientId,
        PORTAL_OIDC_CLIENT_SECRET: client.clientSecret,
      });
      idpLines = [
        `SPID/CIE login: the development identity provider at ${idp.issuer} (test citizens, no real identity):`,
        ...idp.citizens.map(
          (c) =>
            `  ${`${c.givenName} ${c.familyName}`.padEnd(18)} ${c.fiscalCode}  ${c.method === 'cie' ? 'CIE' : 'SPID'} level ${c.level}  ${c.email}`,
        ),
      ].join('\n');
    }
    const { createApp } = await import('../bootstrap.js');
    const app = await quietBoot(() => createApp(config));
    await app.listen(config.port, '0.0.0.0');
    const base = `http://localhost:${config.port}`;
    console.log(`
Sportello is running at ${base}
  Citizen portal .. ${base}/  (e.g. ${base}/bari, ${base}/modugno/servizi)
  Agent console ... ${base}/console/
  API docs ........ ${base}/api/docs
  Health .......... ${base}/health/ready
  Queues .......... ${base}/admin/queues (admin@metro.demo)
Demo accounts (password "${password}"):
  operatore@bari.demo, supervisore@bari.demo, manager@bari.demo, … for every comune; admin@metro.demo
App channel key for Bari: demo-app-key-bari
Citizens' portal API: ${base}/api/portal/v1/session
${idpLines}
E-mail login codes: logged by the application (development) and sent to ${config.portal.mailSmtpUrl} (e.g. Mailpit)
`);
  },
  () => {
    const config = loadConfig();
    return { postgres: [ownerTarget(config), appTarget(config)], redis: [redisTarget(config)] };
  },
);

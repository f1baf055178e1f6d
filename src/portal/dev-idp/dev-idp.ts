import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR_OF_LEVEL, TEST_CITIZENS, type TestCitizen } from './test-citizens.js';

/**
 * A development identity provider that plays the SPID/CIE OpenID Connect gateway (oidc-provider),
 * for the demo and the tests only: on loopback, with a few invented citizens chosen on an Italian
 * page, keys generated at start. It refuses to start with NODE_ENV=production.
 *
 * Claims as the gateways send them: `fiscalNumber` (with the `TINIT-` prefix), `name` (given name),
 * `familyName`, `email`, and `acr` (https://www.spid.gov.it/SpidL1…L3; a CIE login is level 3).
 */
export interface DevIdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

export interface DevIdp {
  issuer: string;
  port: number;
  citizens: readonly TestCitizen[];
  provider: Provider;
  stop: () => Promise<void>;
}

export class DevIdpRefused extends Error {}

export async function startDevIdp(options: {
  clients: DevIdpClient[];
  port?: number;
  /** The process environment's NODE_ENV (the caller's configuration). */
  nodeEnv: string | undefined;
}): Promise<DevIdp> {
  if (options.nodeEnv === 'production') {
    throw new DevIdpRefused('the development identity provider refuses to start with NODE_ENV=production: connect a real SPID/CIE gateway');
  }
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `dev-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };

  const byId = new Map(TEST_CITIZENS.map((c) => [c.id, c]));
  const configuration: Configuration = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    acrValues: Object.values(ACR_OF_LEVEL),
    claims: {
      openid: ['sub'],
      profile: ['name', 'familyName', 'fiscalNumber'],
      email: ['email'],
    },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          ctx.body = page(
            'Uscita',
            `<p>Stai uscendo dal provider di identità di sviluppo.</p>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Esci</button>`,
          );
        },
      },
    },
    findAccount: (_ctx, id) => {
      const c = byId.get(id);
      if (!c) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          name: c.givenName,
          familyName: c.familyName,
          fiscalNumber: `TINIT-${c.fiscalCode}`,
          email: c.email,
        }),
      };
    },
    // A first-party gateway asks no consent: every scope and claim asked is granted.
    loadExistingGrant: async (ctx) => {
      const clientId = ctx.oidc.client!.clientId;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope('openid profile email');
      grant.addOIDCClaims(['name', 'familyName', 'fiscalNumber', 'email']);
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { AuthorizationCode: 60, IdToken: 600, AccessToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Errore', `<p role="alert">${escape(String(out.error))}: ${escape(String(out.error_description ?? ''))}</p>`);
    },
  };
  const provider = new Provider(issuer, configuration);
  const oidc = provider.callback();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    const m = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
    if (!m) return void oidc(req, res);
    interaction(provider, byId, req, res).catch((err: Error) => {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(page('Errore', `<p role="alert">${escape(err.message)}</p>`));
    });
  });

  return {
    issuer,
    port,
    citizens: TEST_CITIZENS,
    provider,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** GET: the page choosing the test citizen; POST: the choice (or «Annulla»). */
async function interaction(provider: Provider, byId: Map<string, TestCitizen>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'POST') {
    const form = new URLSearchParams(await body(req));
    if (form.get('azione') === 'annulla') {
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: "l'utente ha annullato" },
        { mergeWithLastSubmission: false },
      );
    }
    const citizen = byId.get(form.get('cittadino') ?? '');
    if (!citizen) throw new Error('scegli un cittadino di prova');
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: citizen.id, acr: ACR_OF_LEVEL[citizen.level], amr: [citizen.method] } },
      { mergeWithLastSubmission: false },
    );
  }
  const asked = String(details.params.acr_values ?? '');
  const options = [...byId.values()]
    .map(
      (c, i) => `
      <div class="scelta">
        <input type="radio" id="c-${c.id}" name="cittadino" value="${c.id}"${i === 0 ? ' checked' : ''} required>
        <label for="c-${c.id}">${escape(`${c.givenName} ${c.familyName}`)} — codice fiscale ${c.fiscalCode} — ${c.method === 'cie' ? 'CIE' : 'SPID'} livello ${c.level}</label>
      </div>`,
    )
    .join('');
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(
    page(
      'Accesso di prova',
      `<p>Questo è il provider di identità di sviluppo di Sportello: sostituisce il gateway SPID/CIE nella demo e nei test.
Nessuna identità reale viene verificata.</p>
${asked ? `<p>Livello richiesto dal servizio: <code>${escape(asked)}</code></p>` : ''}
<form method="post" action="/interaction/${details.uid}">
  <fieldset>
    <legend>Scegli il cittadino di prova</legend>${options}
  </fieldset>
  <button type="submit" name="azione" value="accedi">Accedi</button>
  <button type="submit" name="azione" value="annulla" formnovalidate>Annulla</button>
</form>`,
    ),
  );
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 16 * 1024) reject(new Error('richiesta troppo grande'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} — provider di identità di sviluppo</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
fieldset{border:1px solid #5c6f82;padding:1rem;margin-bottom:1rem}
.scelta{margin:.5rem 0}
button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem;background:#0066cc;color:#fff;border:0;border-radius:4px}
button[value=annulla]{background:#5c6f82}
:focus-visible{outline:3px solid #f90;outline-offset:2px}
</style></head>
<body><main><h1>${escape(title)}</h1>${content}</main></body></html>`;
}

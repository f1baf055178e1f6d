import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApp, type TestApp } from '../support/harness.js';
import { appFetch, browser, CLIENT, onApp, session } from './support.js';

/**
 * The id_token checks, against a second tiny OpenID provider on loopback whose token endpoint can
 * answer an id_token signed by a key that is not in its JWKS, or issued for another client. Its
 * `good` mode is the positive control: the same provider, a correct token, a login.
 */
type Mode = 'good' | 'bad-signature' | 'wrong-audience' | 'wrong-nonce';

describe('portal: the id_token is checked (signature, audience, nonce)', () => {
  let t: TestApp;
  let server: Server;
  let issuer: string;
  let mode: Mode = 'good';
  const kid = 'tiny-key';
  const good = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const codes = new Map<string, { nonce: string }>();

  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = (payload: object, key: KeyObject) => {
    const head = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(payload)}`;
    return `${head}.${sign('sha256', Buffer.from(head), key).toString('base64url')}`;
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url!, issuer);
      const json = (body: object) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/.well-known/openid-configuration') {
        return json({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          end_session_endpoint: `${issuer}/logout`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
        });
      }
      if (url.pathname === '/jwks') return json({ keys: [{ ...good.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
      if (url.pathname === '/authorize') {
        const code = randomBytes(16).toString('hex');
        codes.set(code, { nonce: url.searchParams.get('nonce')! });
        const back = new URL(url.searchParams.get('redirect_uri')!);
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state')!);
        res.statusCode = 302;
        res.setHeader('location', back.href);
        return res.end();
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const form = new URLSearchParams(body);
          const flow = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          if (!flow) {
            res.statusCode = 400;
            return json({ error: 'invalid_grant' });
          }
          const now = Math.floor(Date.now() / 1000);
          const claims = {
            iss: issuer,
            sub: 'tiny-subject',
            aud: mode === 'wrong-audience' ? 'someone-else' : CLIENT.clientId,
            iat: now,
            exp: now + 300,
            nonce: mode === 'wrong-nonce' ? 'not-the-nonce' : flow.nonce,
            acr: 'https://www.spid.gov.it/SpidL2',
            fiscalNumber: 'TINIT-BNCGLI80A41A662K',
            name: 'Giulia',
            familyName: 'Bianchi',
          };
          json({
            access_token: randomBytes(16).toString('hex'),
            token_type: 'Bearer',
            expires_in: 300,
            id_token: jwt(claims, mode === 'bad-signature' ? other.privateKey : good.privateKey),
          });
        });
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await startApp({
      PORTAL_OIDC_ISSUER: issuer,
      PORTAL_OIDC_CLIENT_ID: CLIENT.clientId,
      PORTAL_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
    });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  async function loginWith(m: Mode) {
    mode = m;
    const b = browser();
    const start = await appFetch(t, b, '/api/portal/v1/auth/oidc/start?method=spid&returnTo=/bari');
    const atProvider = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = await appFetch(t, b, onApp(atProvider.headers.get('location')!));
    return { location: back.headers.get('location'), authenticated: (await session(t, b)).authenticated as boolean };
  }

  it('accepts a correct id_token (positive control)', async () => {
    expect(await loginWith('good')).toEqual({ location: '/bari', authenticated: true });
  });

  it('rejects an id_token signed by a key the gateway does not publish', async () => {
    expect(await loginWith('bad-signature')).toEqual({ location: '/accedi?errore=verifica_fallita', authenticated: false });
  });

  it('rejects an id_token issued for another audience', async () => {
    expect(await loginWith('wrong-audience')).toEqual({ location: '/accedi?errore=verifica_fallita', authenticated: false });
  });

  it('rejects an id_token with another nonce', async () => {
    expect(await loginWith('wrong-nonce')).toEqual({ location: '/accedi?errore=verifica_fallita', authenticated: false });
  });
});

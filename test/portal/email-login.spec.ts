import type { DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import type { TestApp } from '../support/harness.js';
import { startSmtpSink, type SmtpSink } from '../channels/email/mail-standins.js';
import { appFetch, browser, oidcLogin, portalPost, session, startPortal, type Browser } from './support.js';

/**
 * Login by e-mail code: the real app sends the code through its system mailer to an SMTP sink on
 * loopback; throttles in real Redis; and how e-mail accounts and SPID accounts are (not) joined.
 */
describe('portal: e-mail code login', () => {
  let t: TestApp;
  let idp: DevIdp;
  let sink: SmtpSink;
  let ip = 10;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;

  beforeAll(async () => {
    sink = await startSmtpSink();
    ({ t, idp } = await startPortal({
      PORTAL_MAIL_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      PORTAL_MAIL_FROM: 'Sportello <no-reply@sportello.test>',
      PORTAL_EMAIL_CODES_PER_EMAIL: '3',
      PORTAL_EMAIL_CODES_PER_ADDRESS: '4',
    }));
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
    await sink?.close();
  });

  /** Each test its own client address (the app trusts loopback's X-Forwarded-For): the per-address throttle stays out of the way. */
  const client = () => ({ 'x-forwarded-for': `203.0.113.${ip++}` });

  async function askCode(b: Browser, email: string, headers: Record<string, string>, body: Record<string, unknown> = {}) {
    const before = sink.deliveries.length;
    const res = await portalPost(t, b, '/api/portal/v1/auth/email/start', { email, ...body }, undefined, headers);
    if (res.status !== 202) return { res, code: null, mail: null };
    const mail = await sink.waitFor((d) => d.rcpt.includes(email) && sink.deliveries.indexOf(d) >= before);
    const code = /\b(\d{6})\b/.exec(mail.parsed.text ?? '')![1];
    return { res, code, mail };
  }

  const verify = (b: Browser, email: string, code: string, headers: Record<string, string>) =>
    portalPost(t, b, '/api/portal/v1/auth/email/verify', { email, code }, undefined, headers);

  it('sends a 6-digit code in Italian; the right code logs in (assurance email, level 1), once', async () => {
    const b = browser();
    const h = client();
    const { res, code, mail } = await askCode(b, 'giulia.bianchi@example.it', h);
    expect(res.status).toBe(202);
    expect(mail!.parsed.subject).toBe('Il tuo codice di accesso a Sportello');
    expect(mail!.parsed.text).toContain('Vale 10 minuti');
    expect(mail!.parsed.from?.text).toContain('no-reply@sportello.test');
    // Stored hashed: the code is nowhere in the table.
    const [row] = await t.ds.query(`SELECT code_hash FROM portal_email_codes WHERE email = 'giulia.bianchi@example.it'`);
    expect(row.code_hash).not.toContain(code);

    const ok = await verify(b, 'Giulia.Bianchi@example.it', code!, h);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as any;
    expect(body).toEqual({
      authenticated: true,
      csrfToken: expect.any(String),
      citizen: {
        id: expect.any(String),
        displayName: 'giulia.bianchi@example.it',
        givenName: null,
        familyName: null,
        fiscalCode: null,
        email: 'giulia.bianchi@example.it',
        assurance: 'email',
        level: 1,
      },
    });
    expect(b.app.raw.get('sportello_citizen')).toMatch(/HttpOnly.*SameSite=Lax|SameSite=Lax.*HttpOnly/i);
    expect((await session(t, b)).citizen.id).toBe(body.citizen.id);
    // The login's answer carries the new session's CSRF token, which works at once.
    const out = await portalPost(t, b, '/api/portal/v1/auth/logout', {}, body.csrfToken);
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ redirectTo: '/' });
    // A code works once.
    const again = await verify(browser(), 'giulia.bianchi@example.it', code!, h);
    expect(again.status).toBe(400);
  });

  it('in English when asked (Accept-Language or lang)', async () => {
    const h = client();
    const a = await askCode(browser(), 'english.one@example.it', { ...h, 'accept-language': 'en-GB,en;q=0.9' });
    expect(a.mail!.parsed.subject).toBe('Your Sportello access code');
    const b = await askCode(browser(), 'english.two@example.it', h, { lang: 'en' });
    expect(b.mail!.parsed.text).toContain('valid for 10 minutes');
  });

  it('a wrong code: 400 naming the field; an expired code: 400; five wrong tries burn the code', async () => {
    const h = client();
    const b = browser();
    const { code } = await askCode(b, 'sbagli@example.it', h);
    const wrongCode = code === '000000' ? '000001' : '000000';
    const wrong = await verify(b, 'sbagli@example.it', wrongCode, h);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ code: 'invalid_code', fields: [{ field: 'code', message: 'codice non corretto' }] });
    for (let i = 0; i < 3; i++) expect((await verify(b, 'sbagli@example.it', wrongCode, h)).status).toBe(400);
    const fifth = await verify(b, 'sbagli@example.it', wrongCode, h);
    expect(await fifth.json()).toMatchObject({ code: 'too_many_attempts' });
    // The right code no longer works.
    const late = await verify(b, 'sbagli@example.it', code!, h);
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ code: 'expired_code' });
    expect((await session(t, b)).authenticated).toBe(false);

    const h2 = client();
    const c = await askCode(b, 'scaduto@example.it', h2);
    await t.ds.query(`UPDATE portal_email_codes SET expires_at = now() - interval '1 second' WHERE email = 'scaduto@example.it'`);
    const expired = await verify(b, 'scaduto@example.it', c.code!, h2);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toMatchObject({ code: 'expired_code', fields: [{ field: 'code' }] });
  });

  it('throttles asking for codes per e-mail and per client address: 429 with Retry-After', async () => {
    const b = browser();
    for (let i = 0; i < 3; i++) expect((await askCode(b, 'tante@example.it', client())).res.status).toBe(202);
    const refused = await portalPost(t, b, '/api/portal/v1/auth/email/start', { email: 'tante@example.it' }, undefined, client());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ fields: [{ field: 'email' }] });

    const h = client();
    for (let i = 0; i < 4; i++) expect((await askCode(b, `indirizzo${i}@example.it`, h)).res.status).toBe(202);
    const byAddress = await portalPost(t, b, '/api/portal/v1/auth/email/start', { email: 'altro@example.it' }, undefined, h);
    expect(byAddress.status).toBe(429);
    expect(Number(byAddress.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('field errors in Italian; CSRF required', async () => {
    const b = browser();
    const bad = await portalPost(t, b, '/api/portal/v1/auth/email/start', { email: 'non-una-email' }, undefined, client());
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ fields: [{ field: 'email', message: 'deve essere un indirizzo e-mail valido' }] });
    const noCsrf = await portalPost(t, b, '/api/portal/v1/auth/email/start', { email: 'x@example.it' }, null, client());
    expect(noCsrf.status).toBe(403);
    const badCode = await portalPost(t, b, '/api/portal/v1/auth/email/verify', { email: 'x@example.it', code: '12a' }, undefined, client());
    expect(await badCode.json()).toMatchObject({ fields: [{ field: 'code', message: 'deve essere di 6 cifre' }] });
  });

  it('an e-mail session that then completes a SPID login becomes one account, which keeps the verified identity', async () => {
    const b = browser();
    const h = client();
    const email = 'maria.personale@example.it';
    const { code } = await askCode(b, email, h);
    const emailAccount = ((await (await verify(b, email, code!, h)).json()) as any).citizen.id;
    await oidcLogin(t, idp, b, { method: 'spid', citizenId: maria.id });
    const s = await session(t, b);
    expect(s.citizen).toMatchObject({ fiscalCode: maria.fiscalCode, assurance: 'spid', level: 2 });
    const accounts = await t.ds.query(
      `SELECT id::text, fiscal_code, email_key FROM citizen_accounts WHERE fiscal_code = $1 OR email_key = $2`,
      [maria.fiscalCode, email],
    );
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ fiscal_code: maria.fiscalCode, email_key: email });
    // Either the e-mail account became the verified one, or it was folded into it: one id either way.
    expect([emailAccount, s.citizen.id]).toContain(accounts[0].id);
    // A later e-mail-code login with that address finds the same (verified) account, at e-mail assurance.
    const b2 = browser();
    const again = await askCode(b2, email, client());
    const later = (await (await verify(b2, email, again.code!, client())).json()) as any;
    expect(later.citizen).toMatchObject({ id: accounts[0].id, fiscalCode: maria.fiscalCode, assurance: 'email', level: 1 });
  });

  it('the same e-mail without the e-mail session stays two accounts (never merged by a matching e-mail)', async () => {
    const nicola = TEST_CITIZENS.find((c) => c.id === 'nicola-de-santis')!;
    // An e-mail account with the very address the gateway sends for Nicola…
    const h = client();
    const b = browser();
    const { code } = await askCode(b, nicola.email, h);
    const byEmail = ((await (await verify(b, nicola.email, code!, h)).json()) as any).citizen.id;
    // …and Nicola's CIE login in another browser.
    const c = browser();
    await oidcLogin(t, idp, c, { method: 'cie', citizenId: nicola.id });
    const byCie = (await session(t, c)).citizen;
    expect(byCie.id).not.toBe(byEmail);
    expect(byCie.email).toBe(nicola.email);
    const rows = await t.ds.query(`SELECT fiscal_code, email_key FROM citizen_accounts WHERE email = $1 OR email_key = $1 ORDER BY id`, [
      nicola.email,
    ]);
    expect(rows).toEqual([
      { fiscal_code: null, email_key: nicola.email },
      { fiscal_code: nicola.fiscalCode, email_key: null },
    ]);
  });

  it('the session says what an e-mail login proved (email, level 1, no fiscal code); /session is not cached', async () => {
    const h = client();
    const b = browser();
    const { code } = await askCode(b, 'solo.email@example.it', h);
    await verify(b, 'solo.email@example.it', code!, h);
    expect((await session(t, b)).citizen).toMatchObject({ assurance: 'email', level: 1, fiscalCode: null });
    const res = await appFetch(t, b, '/api/portal/v1/session');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

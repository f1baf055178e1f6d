import { type ConfigError, loadConfig } from '../../src/config/config.js';

/** The portal's configuration, validated at boot with one line per bad variable. */
describe('portal configuration', () => {
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ NODE_ENV: 'test', ...env });
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('derives the redirect URIs from PUBLIC_BASE_URL; SPID/CIE off without an issuer', () => {
    const c = loadConfig({ NODE_ENV: 'test', PUBLIC_BASE_URL: 'https://sportello.cittametropolitana.ba.it/' });
    expect(c.portal).toMatchObject({
      oidcIssuer: null,
      redirectUri: 'https://sportello.cittametropolitana.ba.it/api/portal/v1/auth/oidc/callback',
      postLogoutRedirectUri: 'https://sportello.cittametropolitana.ba.it/',
      acrSpid: 'https://www.spid.gov.it/SpidL2',
      acrCie: 'https://www.spid.gov.it/SpidL3',
      sessionIdleMs: 30 * 60_000,
      sessionMaxMs: 12 * 3_600_000,
      mailSmtpUrl: 'smtp://127.0.0.1:1025',
    });
  });

  it('refuses an issuer without client credentials, and a plain-http issuer that is not loopback or is in production', () => {
    expect(problems({ PORTAL_OIDC_ISSUER: 'https://gateway.example.it' })).toEqual([
      'PORTAL_OIDC_CLIENT_ID must be set with PORTAL_OIDC_ISSUER',
      'PORTAL_OIDC_CLIENT_SECRET must be set with PORTAL_OIDC_ISSUER',
    ]);
    const creds = { PORTAL_OIDC_CLIENT_ID: 'id', PORTAL_OIDC_CLIENT_SECRET: 'secret' };
    expect(problems({ PORTAL_OIDC_ISSUER: 'http://gateway.example.it', ...creds })).toEqual([
      expect.stringContaining('PORTAL_OIDC_ISSUER must be an https URL'),
    ]);
    expect(problems({ PORTAL_OIDC_ISSUER: 'http://127.0.0.1:3100', ...creds })).toEqual([]);
    expect(
      problems({
        NODE_ENV: 'production',
        JWT_SECRET: 'f'.repeat(8) + 'a9c3e1b7d5f2084c6e1a3b5d7f9c2e4a',
        PORTAL_OIDC_ISSUER: 'http://127.0.0.1:3100',
        ...creds,
      }),
    ).toContainEqual(expect.stringContaining('PORTAL_OIDC_ISSUER must be an https URL'));
    expect(problems({ PORTAL_SESSION_IDLE_MINUTES: '0', PORTAL_MAIL_SMTP_URL: 'http://x' })).toEqual([
      expect.stringContaining('PORTAL_SESSION_IDLE_MINUTES'),
      expect.stringContaining('PORTAL_MAIL_SMTP_URL'),
    ]);
  });
});

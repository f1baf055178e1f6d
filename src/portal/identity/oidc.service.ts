import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { asSystem } from '../../tenancy/db-scope.js';
import { updateReturning } from '../../database/sql.js';
import { fiscalCodeOf, type VerifiedPerson } from './accounts.js';
import { sha256 } from './sessions.js';
import type { LoginErrorCode } from '../portal.api.js';

export type OidcMethod = 'spid' | 'cie';

/** A login failure, with the code the portal's /accedi page shows (`?errore=<code>`). */
export class OidcLoginError extends Error {
  constructor(
    readonly code: LoginErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const LEVELS: Record<string, 1 | 2 | 3> = {
  'https://www.spid.gov.it/SpidL1': 1,
  'https://www.spid.gov.it/SpidL2': 2,
  'https://www.spid.gov.it/SpidL3': 3,
};

/** How long a started login may take at the gateway. */
const FLOW_TTL_SECONDS = 600;

/**
 * The portal as an OpenID Connect relying party of the SPID/CIE identity gateway (openid-client):
 * authorization code with PKCE (S256), `state` and `nonce`, the gateway found by discovery of
 * PORTAL_OIDC_ISSUER. openid-client checks the id_token's signature against the gateway's JWKS (turned
 * on: `enableNonRepudiationChecks`; by default it relies on TLS for a token from the token endpoint),
 * its issuer, audience (our client id), expiry and nonce, and the response's state and issuer
 * (RFC 9207 `iss`); the gateway refuses a code used twice or without the PKCE verifier.
 *
 * A started login is a row of `portal_oidc_flows`, named by the hash of a random cookie bound to
 * the browser that started it: the callback must come back to that browser with that state.
 */
@Injectable()
export class OidcLogin {
  private readonly logger = new Logger('PortalOidc');
  private configuration?: Promise<client.Configuration>;

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.config.portal.oidcIssuer !== null;
  }

  /** The gateway's configuration, discovered once (again after a failure). */
  gateway(): Promise<client.Configuration> {
    const p = this.config.portal;
    if (!p.oidcIssuer)
      return Promise.reject(new OidcLoginError('non_configurato', 'SPID/CIE login is not configured (PORTAL_OIDC_ISSUER)'));
    this.configuration ??= (async () => {
      const issuer = new URL(p.oidcIssuer!);
      const insecure = issuer.protocol === 'http:'; // loopback only, outside production (checked by the configuration)
      const cfg = await client.discovery(
        issuer,
        p.oidcClientId,
        { redirect_uris: [p.redirectUri], response_types: ['code'], id_token_signed_response_alg: 'RS256' },
        client.ClientSecretBasic(p.oidcClientSecret),
        insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      );
      // openid-client trusts an id_token received from the token endpoint over TLS without checking its
      // signature; a citizen's identity is worth the check against the gateway's JWKS (non-repudiation).
      client.enableNonRepudiationChecks(cfg);
      return cfg;
    })();
    this.configuration.catch(() => (this.configuration = undefined));
    return this.configuration;
  }

  /** Starts a login: the flow stored, the URL of the gateway to send the browser to, and the flow cookie's value. */
  async start(method: OidcMethod, returnTo: string, sessionId: string | null): Promise<{ url: string; flowCookie: string }> {
    const cfg = await this.gateway();
    const flowCookie = randomBytes(32).toString('base64url');
    const state = client.randomState();
    const nonce = client.randomNonce();
    const verifier = client.randomPKCECodeVerifier();
    const challenge = await client.calculatePKCECodeChallenge(verifier);
    await asSystem('portal-login', async () => {
      await this.ds.query(`DELETE FROM portal_oidc_flows WHERE expires_at < now()`);
      await this.ds.query(
        `INSERT INTO portal_oidc_flows (id, state, nonce, code_verifier, method, return_to, session_id, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))`,
        [sha256(flowCookie), state, nonce, verifier, method, returnTo, sessionId, FLOW_TTL_SECONDS],
      );
    });
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: this.config.portal.redirectUri,
      scope: 'openid profile email',
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
      acr_values: method === 'cie' ? this.config.portal.acrCie : this.config.portal.acrSpid,
      prompt: 'login',
    });
    return { url: url.href, flowCookie };
  }

  /**
   * Completes a login from the gateway's redirect: the flow is taken (used once, whatever happens),
   * the code exchanged with every check on, the claims read from the id_token and userinfo.
   */
  async complete(
    flowCookie: string | undefined,
    query: URLSearchParams,
  ): Promise<{ person: VerifiedPerson; idToken: string; returnTo: string; sessionId: string | null }> {
    if (!flowCookie) throw new OidcLoginError('sessione_scaduta', 'no login in progress in this browser');
    const [flow] = await asSystem('portal-login', () =>
      updateReturning(
        this.ds,
        `DELETE FROM portal_oidc_flows WHERE id = $1 RETURNING state, nonce, code_verifier, method, return_to, session_id, expires_at > now() AS live`,
        [sha256(flowCookie)],
      ),
    );
    if (!flow || !flow.live) throw new OidcLoginError('sessione_scaduta', 'the login was not started here, or took too long');
    if (query.get('error')) {
      throw new OidcLoginError(query.get('error') === 'access_denied' ? 'annullato' : 'gateway', `gateway: ${query.get('error')}`);
    }
    const cfg = await this.gateway();
    const current = new URL(this.config.portal.redirectUri);
    current.search = query.toString();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(cfg, current, {
        pkceCodeVerifier: flow.code_verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      this.logger.warn(`login refused: ${(err as Error).message}`);
      throw new OidcLoginError('verifica_fallita', (err as Error).message);
    }
    const idClaims = tokens.claims();
    if (!idClaims || !tokens.id_token) throw new OidcLoginError('verifica_fallita', 'no id_token');
    let info: Record<string, unknown> = {};
    try {
      info = await client.fetchUserInfo(cfg, tokens.access_token, idClaims.sub);
    } catch (err) {
      // The id_token may carry every claim (some gateways have no userinfo endpoint).
      this.logger.debug(`userinfo: ${(err as Error).message}`);
    }
    const claims: Record<string, unknown> = { ...info, ...idClaims };
    const fiscalCode = fiscalCodeOf(claims.fiscalNumber);
    if (!fiscalCode) throw new OidcLoginError('dati_mancanti', 'the gateway sent no fiscalNumber');
    const level = LEVELS[String(claims.acr ?? '')];
    if (!level) throw new OidcLoginError('livello_insufficiente', `unknown acr ${String(claims.acr)}`);
    const asked = LEVELS[flow.method === 'cie' ? this.config.portal.acrCie : this.config.portal.acrSpid] ?? 2;
    if (level < asked) throw new OidcLoginError('livello_insufficiente', `acr ${String(claims.acr)} is below the level asked`);
    const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : null);
    return {
      person: {
        fiscalCode,
        givenName: text(claims.name) ?? text(claims.given_name),
        familyName: text(claims.familyName) ?? text(claims.family_name),
        email: text(claims.email)?.toLowerCase() ?? null,
        assurance: flow.method === 'cie' ? 'cie' : 'spid',
        level: flow.method === 'cie' ? 3 : level,
      },
      idToken: tokens.id_token,
      returnTo: flow.return_to,
      sessionId: flow.session_id,
    };
  }

  /** The gateway's end-session URL for a session that logged in there, or null (e-mail login, no endpoint). */
  async endSessionUrl(idToken: string | null): Promise<string | null> {
    if (!idToken || !this.enabled) return null;
    try {
      const cfg = await this.gateway();
      if (!cfg.serverMetadata().end_session_endpoint) return null;
      return client.buildEndSessionUrl(cfg, { id_token_hint: idToken, post_logout_redirect_uri: this.config.portal.postLogoutRedirectUri })
        .href;
    } catch {
      return null;
    }
  }
}

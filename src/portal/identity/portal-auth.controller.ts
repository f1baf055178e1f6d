import { Body, Controller, Get, HttpCode, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { Public } from '../../auth/auth.guard.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { runInScope } from '../../tenancy/db-scope.js';
import { CitizenAccounts } from './accounts.js';
import { PortalPublic } from './citizen-auth.js';
import { PortalCsrf } from './csrf.js';
import { EmailLogin, portalLang } from './email-login.js';
import { OidcLogin, OidcLoginError, type OidcMethod } from './oidc.service.js';
import { CitizenSessions, cookiesOf, type CitizenSession } from './sessions.js';
import type { LoginErrorCode, PortalSession } from '../portal.api.js';

export const FLOW_COOKIE = 'sportello_oidc_flow';
const FLOW_PATH = '/api/portal/v1/auth/oidc';

export class OidcStartQuery {
  @ApiProperty({ enum: ['spid', 'cie'] })
  @IsIn(['spid', 'cie'], { message: 'deve essere spid oppure cie' })
  method!: OidcMethod;

  @ApiPropertyOptional({ example: '/bari', description: 'where to go back after login: a path of this site, else /' })
  @IsOptional()
  @IsString({ message: 'deve essere un testo' })
  @MaxLength(500, { message: 'non può superare 500 caratteri' })
  returnTo?: string;
}

export class EmailStartDto {
  @ApiProperty({ example: 'maria.rossi@example.it' })
  @IsEmail({}, { message: 'deve essere un indirizzo e-mail valido' })
  @MaxLength(254, { message: 'non può superare 254 caratteri' })
  email!: string;

  @ApiPropertyOptional({ enum: ['it', 'en'] })
  @IsOptional()
  @IsIn(['it', 'en'], { message: 'deve essere it oppure en' })
  lang?: 'it' | 'en';
}

export class EmailVerifyDto extends EmailStartDto {
  @ApiProperty({ example: '482913' })
  @IsString({ message: 'deve essere un testo' })
  @Matches(/^\d{6}$/, { message: 'deve essere di 6 cifre' })
  code!: string;
}

/** GET /session and a verified login answer this (the shared type of src/portal/portal.api.ts). */
export type SessionBody = PortalSession;

/** A path of this site only (`/bari`, `/area-personale?x=1`); anything else (`//evil`, `https://…`, `/\\evil`) → `/`. */
export function safeReturnTo(raw: string | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || /[\\\s\u0000-\u001f]/.test(raw)) return '/';
  try {
    const u = new URL(raw, 'http://portal.invalid');
    return u.origin === 'http://portal.invalid' ? `${u.pathname}${u.search}${u.hash}` : '/';
  } catch {
    return '/';
  }
}

/**
 * The portal's login API (`/api/portal/v1`): the session, SPID/CIE through the OpenID Connect
 * gateway, the e-mail code, logout. Public to the staff guard; state-changing calls need the CSRF
 * token of the session (src/portal/identity/csrf.ts).
 */
@ApiTags('portal')
@Controller('api/portal/v1')
export class PortalAuthController {
  private readonly logger = new Logger('PortalAuth');

  constructor(
    private readonly sessions: CitizenSessions,
    private readonly accounts: CitizenAccounts,
    private readonly csrf: PortalCsrf,
    private readonly oidc: OidcLogin,
    private readonly email: EmailLogin,
  ) {}

  private async body(req: Request, res: Response, session: CitizenSession | null): Promise<SessionBody> {
    const account = session ? await runInScope(TenantScope.citizen(session.accountId), () => this.accounts.view(session.accountId)) : null;
    const csrfToken = await this.csrf.token(req, res);
    if (!session || !account) return { authenticated: false, csrfToken };
    return { authenticated: true, csrfToken, citizen: { ...account, assurance: session.assurance, level: session.level } };
  }

  @Public()
  @Get('session')
  async session(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SessionBody> {
    res.setHeader('Cache-Control', 'no-store');
    return this.body(req, res, await this.sessions.current(req));
  }

  @Public()
  @Get('auth/oidc/start')
  async oidcStart(@Query() q: OidcStartQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const returnTo = safeReturnTo(q.returnTo);
    try {
      const session = await this.sessions.current(req);
      const started = await this.oidc.start(q.method, returnTo, session?.id ?? null);
      res.cookie(FLOW_COOKIE, started.flowCookie, {
        path: FLOW_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: this.sessions.secure(req),
        maxAge: 600_000,
      });
      res.redirect(302, started.url);
    } catch (err) {
      res.redirect(
        302,
        `/accedi?errore=${err instanceof OidcLoginError ? err.code : ('gateway_non_raggiungibile' satisfies LoginErrorCode)}`,
      );
    }
  }

  @Public()
  @Get('auth/oidc/callback')
  async oidcCallback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const flowCookie = cookiesOf(req)[FLOW_COOKIE];
    res.clearCookie(FLOW_COOKIE, { path: FLOW_PATH, httpOnly: true, sameSite: 'lax', secure: this.sessions.secure(req) });
    const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
    try {
      const done = await this.oidc.complete(flowCookie, query);
      // Joined to the e-mail account of this browser's session only when the login started in that very session.
      const current = await this.sessions.current(req);
      const proved = current && done.sessionId === current.id && current.assurance === 'email' ? current.accountId : null;
      const account = await this.accounts.loginVerified(done.person, proved);
      await this.sessions.start(req, res, {
        accountId: account.id,
        assurance: done.person.assurance,
        level: done.person.level,
        idToken: done.idToken,
      });
      res.redirect(302, done.returnTo);
    } catch (err) {
      if (!(err instanceof OidcLoginError)) this.logger.error({ err }, 'SPID/CIE login failed');
      res.redirect(302, `/accedi?errore=${err instanceof OidcLoginError ? err.code : ('errore_interno' satisfies LoginErrorCode)}`);
    }
  }

  @PortalPublic()
  @Post('auth/email/start')
  @HttpCode(202)
  async emailStart(
    @Body() body: EmailStartDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ expiresIn: number }> {
    await this.email.start(req, res, body.email, portalLang(req, body.lang));
    return { expiresIn: 600 };
  }

  @PortalPublic()
  @Post('auth/email/verify')
  @HttpCode(200)
  async emailVerify(@Body() body: EmailVerifyDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SessionBody> {
    const email = await this.email.verify(req, res, body.email, body.code, portalLang(req, body.lang));
    const account = await this.accounts.loginByEmail(email);
    const session = await this.sessions.start(req, res, { accountId: account.id, assurance: 'email', level: 1 });
    return this.body(req, res, session);
  }

  @PortalPublic()
  @Post('auth/logout')
  @HttpCode(200)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<{ redirectTo: string }> {
    const session = await this.sessions.current(req);
    const atGateway = await this.oidc.endSessionUrl(session?.idToken ?? null);
    await this.sessions.end(req, res);
    return { redirectTo: atGateway ?? '/' };
  }
}

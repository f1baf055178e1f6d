import {
  applyDecorators,
  createParamDecorator,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  UseGuards,
  UseInterceptors,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { Public } from '../../auth/auth.guard.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { runInScope } from '../../tenancy/db-scope.js';
import { CitizenAccounts, type Assurance, type CitizenView } from './accounts.js';
import { PortalCsrf } from './csrf.js';
import { CitizenSessions } from './sessions.js';

/** What a route asks of the citizen: `email` (any login), `spid` (a verified person: SPID or CIE), `cie` (level 3). */
export type AssuranceNeeded = Assurance;

const NEEDS = 'sportello:citizen-assurance';

/** The logged-in citizen: the account as this session proved it. */
export type Citizen = CitizenView;

type CitizenRequest = Request & { citizen?: Citizen };

function enough(c: Citizen, needed: AssuranceNeeded): boolean {
  if (needed === 'email') return true;
  if (needed === 'spid') return c.assurance !== 'email' && c.level >= 2;
  return c.level >= 3;
}

const LEVEL_NAME: Record<AssuranceNeeded, string> = {
  email: 'accesso con codice via e-mail',
  spid: 'SPID (livello 2) o CIE',
  cie: 'CIE o SPID di livello 3',
};

/**
 * Protects a portal route: public to the staff guard (a citizen has no operator token), and
 * requires a citizen's session here instead. Not logged in → 401 `{ code: 'login_required' }`; a
 * lower assurance than asked → 403 naming the level needed; a state-changing request without the
 * session's CSRF token → 403. The handler runs in the citizen's scope (TenantScope.citizen).
 */
export const CitizenAuth = (options: { assurance?: AssuranceNeeded } = {}) =>
  applyDecorators(
    Public(),
    SetMetadata(NEEDS, options.assurance ?? 'email'),
    UseGuards(CitizenGuard),
    UseInterceptors(CitizenScopeInterceptor),
  );

/** A portal route anyone may call, with CSRF protection when it changes state (login, logout). */
export const PortalPublic = () => applyDecorators(Public(), UseGuards(PortalCsrfGuard));

export const CurrentCitizen = createParamDecorator((_: unknown, ctx: ExecutionContext): Citizen => {
  return ctx.switchToHttp().getRequest<CitizenRequest>().citizen!;
});

const UNSAFE = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

@Injectable()
export class PortalCsrfGuard implements CanActivate {
  constructor(private readonly csrf: PortalCsrf) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (UNSAFE(req.method)) await this.csrf.check(req);
    return true;
  }
}

@Injectable()
export class CitizenGuard implements CanActivate {
  constructor(
    private readonly sessions: CitizenSessions,
    private readonly accounts: CitizenAccounts,
    private readonly csrf: PortalCsrf,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return false;
    const req = ctx.switchToHttp().getRequest<CitizenRequest>();
    const session = await this.sessions.current(req);
    if (!session) throw new UnauthorizedException({ statusCode: 401, code: 'login_required', message: 'accesso richiesto' });
    const account = await runInScope(TenantScope.citizen(session.accountId), () => this.accounts.view(session.accountId));
    if (!account) throw new UnauthorizedException({ statusCode: 401, code: 'login_required', message: 'accesso richiesto' });
    const citizen: Citizen = { ...account, assurance: session.assurance, level: session.level };
    const needed = this.reflector.getAllAndOverride<AssuranceNeeded>(NEEDS, [ctx.getHandler(), ctx.getClass()]) ?? 'email';
    if (!enough(citizen, needed)) {
      throw new ForbiddenException({
        statusCode: 403,
        code: 'assurance_required',
        assurance: needed,
        message: `questa operazione richiede l'accesso con ${LEVEL_NAME[needed]}`,
      });
    }
    if (UNSAFE(req.method)) await this.csrf.check(req);
    req.citizen = citizen;
    return true;
  }
}

/** Runs the handler in the citizen's scope: the database shows it the citizen's own rows only. */
@Injectable()
export class CitizenScopeInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const citizen = ctx.switchToHttp().getRequest<CitizenRequest>().citizen;
    if (!citizen) return next.handle();
    const scope = TenantScope.citizen(citizen.id);
    return new Observable((subscriber) => runInScope(scope, () => next.handle().subscribe(subscriber)));
  }
}

import { createParamDecorator, ForbiddenException, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Principal } from '../common/tenant-scope.js';
import type { Role } from '../common/staff.js';
import { AuthService } from './auth.service.js';

const PUBLIC = 'sportello:public';
const ROLES = 'sportello:roles';

/** A route anyone may call (login, health, channel webhooks that authenticate themselves). */
export const Public = () => SetMetadata(PUBLIC, true);
/** Only these roles may call the route. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<Request & { principal: Principal }>().principal;
});

export function bearerToken(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  const cookie = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith('sportello_token='));
  return cookie ? decodeURIComponent(cookie.slice('sportello_token='.length)) : undefined;
}

/** Global guard: every route needs a valid operator token unless marked @Public. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const principal = await this.auth.verify(bearerToken(req));
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(principal.role)) {
      throw new ForbiddenException(`this action needs one of the roles: ${roles.join(', ')}`);
    }
    return true;
  }
}

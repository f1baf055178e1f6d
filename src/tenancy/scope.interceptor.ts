import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { TenantScope, type Principal } from '../common/tenant-scope.js';
import { runInScope } from './db-scope.js';

/**
 * Runs every authenticated HTTP request and socket event in its principal's scope: the database
 * then shows the handler the rows of the operator's comune (all comuni for the metropolitan
 * administrator), or of the web-chat session's comune, and nothing else. Public routes run without
 * a scope and declare one where they need it (a webhook its channel account's comune).
 */
@Injectable()
export class ScopeInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const scope = scopeOf(ctx);
    if (!scope) return next.handle();
    // Both the handler's start and its subscription run inside the scope.
    return new Observable((subscriber) => runInScope(scope, () => next.handle().subscribe(subscriber)));
  }
}

function scopeOf(ctx: ExecutionContext): TenantScope | undefined {
  if (ctx.getType() === 'http') {
    const principal = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    return principal ? TenantScope.ofPrincipal(principal) : undefined;
  }
  if (ctx.getType() === 'ws') {
    // /agent sockets carry the operator, /webchat sockets the comune of the site they came from.
    const data = ctx.switchToWs().getClient<{ data?: { principal?: Principal; comune?: { id: number } } }>().data;
    if (data?.principal) return TenantScope.ofPrincipal(data.principal);
    if (data?.comune) return TenantScope.ofComune(data.comune.id);
  }
  return undefined;
}

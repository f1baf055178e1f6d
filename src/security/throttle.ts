import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  UseInterceptors,
  type CanActivate,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import ipaddr from 'ipaddr.js';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { catchError, from, Observable, switchMap, tap } from 'rxjs';
import type { Socket } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Limiters, type Limiter } from './limiters.js';

type Lang = 'it' | 'en';

const TOO_MANY: Record<Lang, (seconds: number) => string> = {
  it: (s) => `Troppi tentativi: riprova tra ${s} ${s === 1 ? 'secondo' : 'secondi'}.`,
  en: (s) => `Too many attempts: try again in ${s} ${s === 1 ? 'second' : 'seconds'}.`,
};

/** Italian unless the client asks for English (`?lang=en`, or Accept-Language preferring en), as the API does elsewhere. */
export function requestLang(req: Pick<IncomingMessage, 'headers' | 'url'>): Lang {
  const q = /[?&]lang=(en|it)\b/.exec(req.url ?? '');
  if (q) return q[1] as Lang;
  const al = req.headers['accept-language'];
  const first = typeof al === 'string' ? al.split(',')[0]?.trim().toLowerCase() : '';
  return first?.startsWith('en') ? 'en' : 'it';
}

/** 429 with Retry-After (seconds) and a message in the client's language. */
export class TooManyRequestsException extends HttpException {
  constructor(
    readonly retryAfterSeconds: number,
    lang: Lang,
    field?: string,
  ) {
    const message = TOO_MANY[lang](retryAfterSeconds);
    super(
      {
        statusCode: 429,
        error: 'Too Many Requests',
        message,
        retryAfter: retryAfterSeconds,
        ...(field ? { fields: [{ field, message }] } : {}),
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** Sets Retry-After and builds the 429 (in the client's language) for a refusal of `blockedMs` more. */
export function tooMany(res: Response, req: Request, blockedMs: number, field?: string): TooManyRequestsException {
  const seconds = Math.max(1, Math.ceil(blockedMs / 1000));
  res.setHeader('Retry-After', String(seconds));
  return new TooManyRequestsException(seconds, requestLang(req), field);
}

/** The client's throttling key: its address, or for IPv6 its /64 (one customer's whole prefix). */
export function clientKey(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return ip || 'unknown';
  const a = ipaddr.process(ip);
  return a.kind() === 'ipv6'
    ? `${(a as ipaddr.IPv6).parts
        .slice(0, 4)
        .map((p) => p.toString(16))
        .join(':')}::/64`
    : a.toString();
}

/** The widget's REST routes that open or feed conversations: per address, on the web-chat window. */
@Injectable()
export class WebchatRestThrottle implements CanActivate {
  constructor(private readonly limiters: Limiters) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const verdict = await this.limiters.webchatRest.hit(clientKey(req.ip));
    if (verdict.blockedMs > 0) throw tooMany(ctx.switchToHttp().getResponse<Response>(), req, verdict.blockedMs);
    return true;
  }
}

const hashed = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 32);
const FAILURES = 'sportello:auth-failures';

type FailureKind = 'login' | 'apikey';

/**
 * Counts failed authentications (401) of a route per client address — and, for login, per account —
 * and refuses further attempts with 429 once a limit is reached, for a lockout that doubles with each
 * new lockout (LOCKOUT_SECONDS … LOCKOUT_MAX_SECONDS). Successes are not counted: an office behind one
 * address logging in all at once is never throttled, nor is an app server sending many messages.
 */
export const ThrottleAuthFailures = (kind: FailureKind) =>
  applyDecorators(SetMetadata(FAILURES, kind), UseInterceptors(AuthFailureThrottle));

@Injectable()
export class AuthFailureThrottle implements NestInterceptor {
  constructor(
    private readonly limiters: Limiters,
    private readonly reflector: Reflector,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const kind = this.reflector.getAllAndOverride<FailureKind>(FAILURES, [ctx.getHandler(), ctx.getClass()]);
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const address = clientKey(req.ip);
    const trackers: Array<{ limiter: Limiter; key: string }> = [];
    let account: string | undefined;
    if (kind === 'login') {
      const email = (req.body as { email?: unknown } | undefined)?.email;
      if (typeof email === 'string' && email.length <= 254) {
        account = hashed(email.trim().toLowerCase());
        trackers.push({ limiter: this.limiters.loginAccount, key: account });
      }
      trackers.push({ limiter: this.limiters.loginAddress, key: address });
    } else {
      trackers.push({ limiter: this.limiters.apiKeyAddress, key: address });
    }

    const checked = (async () => {
      const states = await Promise.all(trackers.map((k) => k.limiter.peek(k.key)));
      const blockedMs = Math.max(0, ...states.map((s) => s.blockedMs));
      if (blockedMs > 0) throw tooMany(res, req, blockedMs);
    })();
    return from(checked).pipe(
      switchMap(() => next.handle()),
      tap(() => {
        if (account) void this.limiters.loginAccount.reset(account);
      }),
      catchError((err: unknown) => {
        // A missing key is not a guess; a wrong one is.
        const counts = err instanceof UnauthorizedException && (kind === 'login' || typeof req.headers['x-api-key'] === 'string');
        if (!counts) throw err;
        return from(
          (async () => {
            await Promise.all(trackers.map((k) => k.limiter.hit(k.key).catch(() => undefined)));
            throw err;
          })(),
        );
      }),
    );
  }
}

/**
 * Web-chat throttles per client address: new sessions (a handshake without a valid session token),
 * and new conversations (the first message of a new session, which opens a ticket). Hooked into the
 * /webchat namespace after the gateway's own middleware has decided whether the session is new.
 */
@Injectable()
export class WebchatThrottle {
  private readonly trust: (addr: string, i: number) => boolean;

  constructor(
    private readonly limiters: Limiters,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.trust = proxyaddr.compile(config.http.trustProxy);
  }

  /** The client's address as Express computes it (X-Forwarded-For only from trusted proxies). */
  address(req: IncomingMessage): string {
    return clientKey(proxyaddr(req, this.trust));
  }

  /** Namespace middleware: counts new sessions per address; refuses with a connect_error carrying status 429. */
  newSessions() {
    return (socket: Socket, next: (err?: Error) => void): void => {
      // The gateway's middleware decided (a resumed session gets a renewed token, so tokens cannot be compared).
      if ((socket.data as { newSession?: boolean }).newSession !== true) return next();
      const address = this.address(socket.request);
      const lang = requestLang(socket.request);
      this.limiters.webchatSessions
        .hit(address)
        .then((r) => {
          if (r.blockedMs > 0) return next(this.socketError(Math.ceil(r.blockedMs / 1000), lang));
          this.guardFirstMessage(socket, address, lang);
          next();
        })
        .catch(() => next());
    };
  }

  private socketError(seconds: number, lang: Lang): Error {
    const retryAfter = Math.max(1, seconds);
    const err = new Error(`session: ${TOO_MANY[lang](retryAfter)}`) as Error & { data: unknown };
    err.data = { status: 429, field: 'session', message: TOO_MANY[lang](retryAfter), retryAfter };
    return err;
  }

  /** The first message of a new session opens a ticket: at most WEBCHAT_MAX_NEW_TICKETS_PER_ADDRESS per window. */
  private guardFirstMessage(socket: Socket, address: string, lang: Lang): void {
    let opened = false;
    socket.use((packet, next) => {
      if (opened || packet[0] !== 'message') return next();
      const ack = packet[packet.length - 1];
      void this.limiters.webchatTickets
        .peek(address)
        .then((state) => {
          if (state.blockedMs > 0) {
            const seconds = Math.max(1, Math.ceil(state.blockedMs / 1000));
            if (typeof ack === 'function')
              ack({ ok: false, error: { status: 429, field: 'message', message: TOO_MANY[lang](seconds), retryAfter: seconds } });
            return;
          }
          if (typeof ack === 'function') {
            packet[packet.length - 1] = (reply: { ok?: boolean }) => {
              if (reply?.ok && !opened) {
                opened = true;
                void this.limiters.webchatTickets.hit(address).catch(() => undefined);
              }
              ack(reply);
            };
          }
          next();
        })
        .catch(() => next());
    });
  }
}

import type { IncomingMessage } from 'node:http';
import type { CorsOptions, CorsOptionsDelegate } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import type { Request } from 'express';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/config.js';

/**
 * Which browser origins may call the API and open sockets, with credentials:
 * - the console's origins (CORS_ORIGINS; by default the origin of PUBLIC_BASE_URL only): every route
 *   and both Socket.IO namespaces;
 * - the comuni's websites that embed the web-chat widget (WIDGET_ORIGINS): only the widget's side,
 *   the /webchat namespace and /api/webchat/* (no credentials: the widget uses none).
 * `/widget.js` itself is served to any site. A request without an Origin (a server, the app
 * backend, a webhook) is no browser's cross-site request and is not concerned.
 */
export class OriginPolicy {
  private readonly console: Set<string>;
  private readonly widget: Set<string>;
  readonly anyOrigin: boolean;

  constructor(config: AppConfig) {
    this.anyOrigin = config.corsOrigins.includes('*');
    const consoleOrigins = config.corsOrigins.length ? config.corsOrigins : [new URL(config.messaging.publicBaseUrl).origin];
    this.console = new Set(consoleOrigins.filter((o) => o !== '*'));
    this.widget = new Set([...this.console, ...config.http.widgetOrigins]);
  }

  allowsConsole(origin: string | undefined, host?: string): boolean {
    return origin === undefined || this.anyOrigin || this.console.has(origin) || sameOrigin(origin, host);
  }

  allowsWidget(origin: string | undefined, host?: string): boolean {
    return origin === undefined || this.anyOrigin || this.widget.has(origin) || sameOrigin(origin, host);
  }

  /** For app.enableCors: the widget's REST routes admit the comuni's sites; the rest the console's origins. */
  express(): CorsOptionsDelegate<Request> {
    return (req: Request, cb: (err: Error | null, options: CorsOptions) => void) => {
      const origin = req.headers.origin;
      const widgetRoute = req.path.startsWith('/api/webchat/');
      const ok = widgetRoute ? this.allowsWidget(origin) : this.allowsConsole(origin);
      cb(null, { origin: ok, credentials: ok && !widgetRoute && !this.anyOrigin });
    };
  }

  /** Socket.IO server options: the handshake of a foreign origin is refused, whatever the transport. */
  socketOptions(): Pick<ServerOptions, 'cors' | 'allowRequest'> {
    return {
      cors: { origin: (origin, cb) => cb(null, this.allowsWidget(origin)), credentials: !this.anyOrigin },
      allowRequest: (req: IncomingMessage, cb: (err: string | null | undefined, success: boolean) => void) => {
        const ok = this.allowsWidget(req.headers.origin, req.headers.host);
        cb(ok ? null : 'origin not allowed', ok);
      },
    };
  }

  /** The agents' namespace admits only the console's origins (a comune's site gets the web chat only). */
  guardNamespaces(server: Server): void {
    server.of('/agent').use((socket, next) => {
      if (this.allowsConsole(socket.handshake.headers.origin, socket.handshake.headers.host)) return next();
      const err = new Error('origin: this site may not open the agent console') as Error & { data?: unknown };
      err.data = { status: 403, field: 'origin', message: 'this site may not open the agent console' };
      next(err);
    });
  }
}

/** A page of this very server (the console, the demo pages) is its own origin, whatever PUBLIC_BASE_URL says. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

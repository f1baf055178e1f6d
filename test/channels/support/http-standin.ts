import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a stand-in provider received. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  json?: any;
  /** Text fields of a multipart/form-data body (file parts: their filename and size). */
  form?: Record<string, string>;
  files?: Array<{ field: string; filename: string; size: number; contentType: string }>;
  at: number;
}

export interface Planned {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A small HTTP server on 127.0.0.1 that plays a provider's API in tests: it records every call,
 * answers through a route function, and can be told to fail the next calls of a route
 * (429 with retry_after, 5xx, permanent errors) the way the real API does.
 */
export class HttpStandin {
  readonly received: Received[] = [];
  private server!: Server;
  private readonly plans: Array<{ suffix: string; answer: Planned; match?: (r: Received) => boolean }> = [];
  private waiters: Array<{ match: (r: Received) => boolean; resolve: (r: Received) => void }> = [];
  url = '';

  constructor(private readonly route: (r: Received, res: ServerResponse) => void | Promise<void>) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const r: Received = { method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers, body, at: Date.now() };
        const type = String(req.headers['content-type'] ?? '');
        if (type.includes('application/json') && body.length) {
          try {
            r.json = JSON.parse(body.toString('utf8'));
          } catch {
            /* recorded raw */
          }
        }
        if (type.startsWith('multipart/form-data')) Object.assign(r, parseMultipart(body, type));
        if (type.includes('application/x-www-form-urlencoded')) r.form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
        this.received.push(r);
        const planned = this.takePlan(url.pathname, r);
        if (planned) {
          res.writeHead(planned.status, { 'content-type': 'application/json', ...planned.headers });
          res.end(JSON.stringify(planned.body));
        } else {
          Promise.resolve(this.route(r, res)).catch((err) => {
            res.writeHead(500);
            res.end(String(err));
          });
        }
        for (const w of [...this.waiters]) {
          if (w.match(r)) {
            this.waiters = this.waiters.filter((x) => x !== w);
            w.resolve(r);
          }
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /**
   * The next `times` calls whose path ends with `pathSuffix` (and that `match`, when given: other
   * traffic, such as a notification, must not use up a planned failure) get this answer instead.
   */
  plan(pathSuffix: string, answer: Planned, times = 1, match?: (r: Received) => boolean): void {
    for (let i = 0; i < times; i++) this.plans.push({ suffix: pathSuffix, answer, match });
  }

  private takePlan(path: string, r: Received): Planned | undefined {
    const i = this.plans.findIndex((p) => path.endsWith(p.suffix) && (!p.match || p.match(r)));
    if (i === -1) return undefined;
    return this.plans.splice(i, 1)[0].answer;
  }

  calls(pathSuffix: string): Received[] {
    return this.received.filter((r) => r.path.split('?')[0].endsWith(pathSuffix));
  }

  /** Resolves with the first call (already received or coming) that matches. */
  next(match: (r: Received) => boolean, ms = 8000): Promise<Received> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stand-in: no matching call within ${ms} ms`)), ms);
      timer.unref();
      this.waiters.push({
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parseMultipart(body: Buffer, type: string): Pick<Received, 'form' | 'files'> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  const form: Record<string, string> = {};
  const files: NonNullable<Received['files']> = [];
  if (!boundary) return { form, files };
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(sep);
  while (start !== -1) {
    const next = body.indexOf(sep, start + sep.length);
    if (next === -1) break;
    const part = body.subarray(start + sep.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/.exec(headers)?.[1] ?? '';
      const filename = /filename="([^"]*)"/.exec(headers)?.[1];
      if (filename !== undefined) {
        files.push({ field: name, filename, size: content.length, contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? '' });
      } else {
        form[name] = content.toString('utf8');
      }
    }
    start = next;
  }
  return { form, files };
}

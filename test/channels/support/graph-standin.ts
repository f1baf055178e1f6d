import { createHmac } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { HttpStandin, sendJson, type Received } from './http-standin.js';

/**
 * The slice of Meta's Graph API the WhatsApp Cloud API uses, as documented: POST
 * /<version>/<phone-number-id>/messages and /media, GET /<version>/<media-id> (a URL to download
 * with the same bearer token). Errors as `{ error: { message, type, code, error_data, fbtrace_id } }`.
 */
export class GraphStandin extends HttpStandin {
  readonly media = new Map<string, { bytes: Buffer; mime: string }>();
  private seq = 1;
  private readonly held: Array<{ match: (r: Received) => boolean; wamid: string; gate: Promise<void> }> = [];

  constructor(
    readonly accessToken: string,
    readonly version = 'v21.0',
  ) {
    super((r, res) => this.answer(r, res));
  }

  get baseUrl(): string {
    return `${this.url}/${this.version}`;
  }

  addMedia(id: string, bytes: Buffer, mime: string): void {
    this.media.set(id, { bytes, mime });
  }

  sends(phoneNumberId: string): Array<Received & { json: any }> {
    return this.calls(`/${this.version}/${phoneNumberId}/messages`) as Array<Received & { json: any }>;
  }

  /**
   * The next send that matches is answered late, with `wamid`, when the returned function is
   * called: Meta has taken the message (and may report its status) while our call still waits.
   */
  holdSend(match: (r: Received) => boolean, wamid: string): () => void {
    let release!: () => void;
    this.held.push({
      match,
      wamid,
      gate: new Promise<void>((resolve) => {
        release = resolve;
      }),
    });
    return release;
  }

  static error(code: number, message: string, details?: string) {
    return {
      error: {
        message,
        type: 'OAuthException',
        code,
        ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
        fbtrace_id: 'AbCdEf123',
      },
    };
  }

  private async answer(r: Received, res: ServerResponse): Promise<void> {
    if (r.headers.authorization !== `Bearer ${this.accessToken}`) {
      return sendJson(res, 401, GraphStandin.error(190, 'Invalid OAuth access token - Cannot parse access token'));
    }
    const dl = /^\/media-download\/([\w.-]+)$/.exec(r.path);
    if (dl) {
      const m = this.media.get(dl[1]);
      if (!m) return sendJson(res, 404, GraphStandin.error(100, 'Unsupported get request.'));
      res.writeHead(200, { 'content-type': m.mime, 'content-length': String(m.bytes.length) });
      res.end(m.bytes);
      return;
    }
    const send = new RegExp(`^/${this.version}/(\\d+)/messages$`).exec(r.path);
    if (send && r.method === 'POST') {
      const hold = this.held.find((h) => h.match(r));
      if (hold) {
        this.held.splice(this.held.indexOf(hold), 1);
        await hold.gate;
        return sendJson(res, 200, {
          messaging_product: 'whatsapp',
          contacts: [{ input: r.json?.to, wa_id: r.json?.to }],
          messages: [{ id: hold.wamid }],
        });
      }
      return sendJson(res, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: r.json?.to, wa_id: r.json?.to }],
        messages: [{ id: `wamid.OUT${this.seq++}` }],
      });
    }
    const upload = new RegExp(`^/${this.version}/(\\d+)/media$`).exec(r.path);
    if (upload && r.method === 'POST') return sendJson(res, 200, { id: `up-${this.seq++}` });
    const info = new RegExp(`^/${this.version}/([\\w.-]+)$`).exec(r.path);
    if (info && r.method === 'GET') {
      const m = this.media.get(info[1]);
      if (!m) return sendJson(res, 400, GraphStandin.error(100, 'Invalid parameter', 'media not found'));
      return sendJson(res, 200, {
        messaging_product: 'whatsapp',
        url: `${this.url}/media-download/${info[1]}`,
        mime_type: m.mime,
        sha256: 'x',
        file_size: m.bytes.length,
        id: info[1],
      });
    }
    sendJson(res, 404, GraphStandin.error(100, 'Unknown path'));
  }
}

/** Signs a webhook body as Meta does: X-Hub-Signature-256 = sha256=HMAC-SHA256(app secret, raw body). */
export function hubSignature(body: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** A webhook notification with field "messages", shaped as in Meta's documentation. */
export function waNotification(phoneNumberId: string, value: { contacts?: unknown[]; messages?: unknown[]; statuses?: unknown[] }) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '390805771111', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

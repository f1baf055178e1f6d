import type { ServerResponse } from 'node:http';
import { HttpStandin, sendJson, type Received } from './http-standin.js';

/** Bytes of a real (tiny) JPEG: 1×1 pixel. */
export const JPEG_1PX = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=',
  'base64',
);
/** The first bytes of an Ogg/Opus voice note. */
export const OGG_VOICE = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60, 1)]);
export const PDF_DOC = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

/**
 * The Telegram Bot API as telegraf talks to it (https://core.telegram.org/bots/api): POST
 * /bot<token>/<method> with JSON or multipart, answers `{ ok, result }` or `{ ok: false,
 * error_code, description, parameters }`; files at /file/bot<token>/<file_path>.
 */
export class TelegramStandin extends HttpStandin {
  readonly files = new Map<string, { path: string; bytes: Buffer }>();
  private messageSeq = 1000;

  constructor(
    readonly token: string,
    readonly username = 'urp_bari_test_bot',
  ) {
    super((r, res) => this.answer(r, res));
  }

  addFile(fileId: string, path: string, bytes: Buffer): void {
    this.files.set(fileId, { path, bytes });
  }

  /** Calls of one Bot API method. */
  method(name: string): Received[] {
    return this.calls(`/bot${this.token}/${name}`);
  }

  /** What a call sent, whether telegraf used JSON or multipart. */
  static params(r: Received): Record<string, any> {
    return r.json ?? r.form ?? {};
  }

  private answer(r: Received, res: ServerResponse): void {
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(r.path);
    if (file) {
      const hit = [...this.files.values()].find((f) => f.path === file[2]);
      if (file[1] !== this.token || !hit) {
        res.writeHead(404);
        res.end('Not Found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(hit.bytes.length) });
      res.end(hit.bytes);
      return;
    }
    const m = /^\/bot([^/]+)\/(\w+)/.exec(r.path);
    if (!m) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== this.token) return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const p = TelegramStandin.params(r);
    const chat = (id: unknown) => ({ id: Number(id), type: 'private', first_name: 'Maria' });
    switch (m[2]) {
      case 'getMe':
        return sendJson(res, 200, {
          ok: true,
          result: {
            id: Number(this.token.split(':')[0]),
            is_bot: true,
            first_name: 'URP Bari',
            username: this.username,
            can_join_groups: false,
            can_read_all_group_messages: false,
            supports_inline_queries: false,
          },
        });
      case 'setWebhook':
      case 'deleteWebhook':
        return sendJson(res, 200, {
          ok: true,
          result: true,
          description: m[2] === 'setWebhook' ? 'Webhook was set' : 'Webhook was deleted',
        });
      case 'sendMessage':
        return sendJson(res, 200, {
          ok: true,
          result: { message_id: ++this.messageSeq, date: Math.floor(Date.now() / 1000), chat: chat(p.chat_id), text: p.text },
        });
      case 'sendPhoto':
      case 'sendDocument':
        return sendJson(res, 200, {
          ok: true,
          result: { message_id: ++this.messageSeq, date: Math.floor(Date.now() / 1000), chat: chat(p.chat_id) },
        });
      case 'getFile': {
        const f = this.files.get(String(p.file_id));
        if (!f) return sendJson(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
        return sendJson(res, 200, {
          ok: true,
          result: { file_id: p.file_id, file_unique_id: `u-${p.file_id}`, file_size: f.bytes.length, file_path: f.path },
        });
      }
      default:
        return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }
}

import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { fieldError, MAX_DOCUMENTS, MAX_PHOTOS, safeFilename, type UploadedFile } from './submission.js';

interface MulterFile {
  fieldname: string;
  originalname: string;
  stream: Readable;
}
interface StorageEngine {
  _handleFile(req: Request, file: MulterFile, cb: (err: Error | null, info?: Partial<UploadedFile>) => void): void;
  _removeFile(req: Request, file: unknown, cb: (err: Error | null) => void): void;
}
type Multer = ((opts: { storage: StorageEngine; limits: Record<string, number> }) => {
  any(): (req: Request, res: Response, cb: (err?: unknown) => void) => void;
}) & { MulterError: new (...a: unknown[]) => Error & { code: string; field?: string } };

const multer = createRequire(import.meta.url)('multer') as Multer;

/** Per-file limits of the portal's forms (bytes). */
export interface UploadLimits {
  photoBytes: number;
  documentBytes: number;
}

/**
 * Keeps each file in memory while counting its bytes, and stops reading a file as soon as it passes
 * its field's limit, with a 413 naming the file (multer's own limit cannot say which file it was).
 */
class LimitedMemoryStorage implements StorageEngine {
  constructor(private readonly limits: UploadLimits) {}

  _handleFile(_req: Request, file: MulterFile, cb: (err: Error | null, info?: Partial<UploadedFile>) => void): void {
    const limit = file.fieldname === 'documents' ? this.limits.documentBytes : this.limits.photoBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    file.stream.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        file.stream.resume();
        const name = safeFilename(file.originalname);
        cb(fieldError(413, name, `il file «${name}» supera ${Math.floor(limit / (1024 * 1024))} MB`));
        return;
      }
      chunks.push(c);
    });
    file.stream.on('error', (err: Error) => {
      if (!done) {
        done = true;
        cb(err);
      }
    });
    file.stream.on('end', () => {
      if (done) return;
      done = true;
      cb(null, { buffer: Buffer.concat(chunks), size });
    });
  }

  _removeFile(_req: Request, _file: unknown, cb: (err: Error | null) => void): void {
    cb(null);
  }
}

/**
 * Reads a multipart/form-data body (a phone browser's FormData: files as bytes, no base64) into
 * `req.body` (text fields) and `req.files`; any other body passes through untouched (JSON).
 * Each file is limited to MAX_ATTACHMENT_BYTES.
 */
@Injectable()
export class PortalUploadInterceptor implements NestInterceptor {
  private readonly parse: ReturnType<ReturnType<Multer>['any']>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.parse = multer({
      storage: new LimitedMemoryStorage({ photoBytes: config.maxAttachmentBytes, documentBytes: config.maxAttachmentBytes }),
      // One more file than allowed in each field reaches the handler, which answers 400 naming the field.
      limits: { files: MAX_PHOTOS + MAX_DOCUMENTS + 2, fields: 40, fieldSize: 64 * 1024, parts: 60 },
    }).any();
  }

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    return new Observable((sub) => {
      this.parse(req, res, (err?: unknown) => {
        if (err) {
          sub.error(uploadError(err));
          return;
        }
        next.handle().subscribe(sub);
      });
    });
  }
}

function uploadError(err: unknown): unknown {
  if (err instanceof multer.MulterError) {
    const field = err.field ?? 'files';
    if (err.code === 'LIMIT_FILE_COUNT')
      return fieldError(400, field, `troppi file: al massimo ${MAX_PHOTOS} foto e ${MAX_DOCUMENTS} documenti`);
    if (err.code === 'LIMIT_FIELD_VALUE') return fieldError(413, field, 'il testo è troppo lungo');
    return fieldError(400, field, `modulo non valido (${err.code})`);
  }
  if (err instanceof Error && /Unexpected end of form|Malformed part header|Multipart: Boundary not found/i.test(err.message))
    return fieldError(400, 'body', 'modulo multipart non valido');
  return err;
}

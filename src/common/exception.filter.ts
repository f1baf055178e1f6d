import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { RejectedInputError } from './errors.js';
import { currentCorrelationId } from './correlation.js';

/**
 * One exception filter for HTTP: 4xx keep their (field-level) body, malformed or oversize bodies
 * become 400/413, anything unexpected becomes a 500 with an error id and no internals.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;

    // body-parser's errors (malformed JSON, oversize body) come wrapped by the Express adapter.
    if (exception instanceof HttpException && isBodyParserError(exception.cause)) exception = exception.cause;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      res.status(status).json(typeof body === 'string' ? { statusCode: status, message: body } : body);
      return;
    }
    if (exception instanceof RejectedInputError) {
      res.status(exception.status).json({
        statusCode: exception.status,
        error: 'Bad Request',
        message: `${exception.field}: ${exception.message}`,
        fields: [{ field: exception.field, message: exception.message }],
      });
      return;
    }
    const e = exception as { type?: string; status?: number; message?: string };
    // body-parser errors: malformed JSON, oversize body, wrong charset.
    if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string') {
      const limit = (e as { limit?: unknown }).limit;
      const message =
        e.type === 'entity.too.large'
          ? `request body is larger than ${typeof limit === 'number' ? `${limit} bytes, the limit of this route` : 'this route accepts'}`
          : e.type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : (e.message ?? 'bad request');
      const error = e.status === 413 ? 'Payload Too Large' : e.status === 415 ? 'Unsupported Media Type' : 'Bad Request';
      res.status(e.status).json({ statusCode: e.status, error, message, fields: [{ field: 'body', message }] });
      return;
    }
    const pgCode = (exception as { code?: unknown })?.code;
    if (pgCode === '22021' || pgCode === '22P05' || pgCode === '54000') {
      // Text PostgreSQL cannot store (a NUL byte, a broken encoding): the client's input, not our fault.
      res.status(400).json({
        statusCode: 400,
        error: 'Bad Request',
        message: 'the request contains characters that cannot be stored',
        fields: [{ field: 'body', message: 'contains characters that cannot be stored' }],
      });
      return;
    }
    if (isDatabaseUnavailable(exception)) {
      // PostgreSQL is down or restarting: nothing was stored, and the client should retry shortly.
      res.status(503).setHeader('Retry-After', '5');
      res.json({ statusCode: 503, error: 'Service Unavailable', message: 'the service is temporarily unavailable, please retry' });
      return;
    }
    const errorId = randomUUID();
    this.logger.error({ err: exception, errorId, correlationId: currentCorrelationId() }, 'unhandled error');
    res.status(500).json({ statusCode: 500, message: 'Internal server error', errorId });
  }
}

function isBodyParserError(e: unknown): boolean {
  const x = e as { type?: unknown; status?: unknown } | undefined;
  return !!x && typeof x.type === 'string' && typeof x.status === 'number' && x.status >= 400 && x.status < 500;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const DROPPED =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection is not established/i;

/**
 * Whether an error means the database could not be reached (refused, dropped, shutting down,
 * starting up) rather than that the request was wrong: those are answered 503, not 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; message?: unknown; driverError?: unknown } | undefined, depth = 0;
    e && depth < 3;
    e = e.driverError as typeof e, depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : '';
    // 08xxx: connection exceptions; 57P01-03: admin/crash shutdown, cannot connect now.
    if (UNREACHABLE.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
    if (typeof e.message === 'string' && DROPPED.test(e.message)) return true;
  }
  return false;
}

import { Body, Controller, Get, Headers, HttpCode, HttpException, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Equals, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Public } from '../auth/auth.guard.js';
import { invalidField, RejectedInputError } from '../common/errors.js';
import { ComuniService } from '../comuni/comuni.service.js';
import type { Comune } from '../comuni/comune.entity.js';
import { IngestService } from '../conversations/ingest.service.js';
import { WebchatSessions } from '../channels/webchat/webchat-session.js';
import { WEBCHAT_CHANNEL } from '../channels/webchat/webchat.gateway.js';
import { AttachmentStorage, IMAGE_TYPES, sniffContentType } from '../storage/storage.js';
import { normalizeContact } from '../common/contacts.js';
import { isOpenAt } from '../comuni/business-calendar.js';
import { inComune } from '../tenancy/db-scope.js';
import { WebchatRestThrottle } from '../security/throttle.js';
import type { WebchatAvailability } from './widget.api.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class LeaveMessageDto {
  @ApiProperty() @IsString({ message: 'is missing' }) @MaxLength(200) sessionToken!: string;
  @ApiProperty()
  @Transform(trim)
  @IsString({ message: 'must be a text' })
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(4000)
  text!: string;
  @ApiProperty({ description: 'E-mail or phone number to be updated on' })
  @Transform(trim)
  @IsString({ message: 'must be an e-mail or a phone number' })
  @MinLength(1, { message: 'must be an e-mail or a phone number' })
  @MaxLength(254)
  contact!: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @MaxLength(120) name?: string;
  @ApiProperty({ description: 'The citizen ticked the privacy consent box' })
  @Equals(true, { message: 'you must accept the privacy notice to leave a message' })
  privacyConsent!: boolean;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,100}$/, { message: 'must be 1–100 letters, digits, "-" or "_"' })
  clientMessageId?: string;
}

/** The widget names weekdays by their English short names: ISO weekday 1 is "mon". */
const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * The widget's REST side, next to its Socket.IO namespace: whether anyone can answer now, a
 * message left out of hours with a contact and the privacy consent, and a photo upload.
 */
@ApiTags('web chat')
@Public()
@Controller('api/webchat')
export class WidgetController {
  private readonly sessions: WebchatSessions;

  constructor(
    private readonly comuni: ComuniService,
    private readonly ingest: IngestService,
    private readonly ds: DataSource,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.sessions = new WebchatSessions(config.jwtSecret, config.channelSecurity.webchatSessionIdleMs);
  }

  /** Open now and somebody online: live chat. Otherwise the widget offers to leave a message. */
  @Get(':slug/availability')
  async availability(@Param('slug') slug: string): Promise<WebchatAvailability> {
    const comune = await this.comune(slug);
    // The comune's business calendar: its opening slots, and closed on holidays and the patron saint's day.
    const calendar = await this.comuni.calendar(comune.id);
    const open = isOpenAt(calendar, Date.now());
    const [{ n }] = await inComune(comune.id, () =>
      this.ds.query(
        `SELECT count(*)::int AS n FROM operators o WHERE o.comune_id = $1 AND o.presence = 'online' AND o.capacity > 0
          AND EXISTS (SELECT 1 FROM operator_groups og WHERE og.operator_id = o.id)`,
        [comune.id],
      ),
    );
    const hours = Object.fromEntries(
      Object.entries(calendar.openingHours)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([isoDay, slots]) => [WEEKDAY_KEYS[Number(isoDay) - 1], slots]),
    );
    return {
      comune: { slug: comune.slug, name: comune.name },
      open,
      operatorsOnline: n,
      live: open && n > 0,
      openingHours: hours,
      timezone: calendar.timezone,
    };
  }

  @Post(':slug/leave-message')
  @UseGuards(WebchatRestThrottle)
  @HttpCode(201)
  async leaveMessage(@Param('slug') slug: string, @Body() body: LeaveMessageDto) {
    const comune = await this.comune(slug);
    const address = this.sessions.verify(body.sessionToken, comune.id);
    if (!address) throw invalidField('sessionToken', 'is not a session of this comune');
    const contact = normalizeContact(body.contact);
    if (!contact) throw invalidField('contact', 'must be an e-mail address or a phone number');
    const result = await this.ingestOrReject({
      channel: WEBCHAT_CHANNEL,
      comuneId: comune.id,
      externalId: `${address}:${body.clientMessageId ?? randomUUID()}`,
      sender: { address, displayName: body.name || null },
      text: body.text,
      // Stored with the message, in its transaction (a duplicate stores neither again).
      consents: [
        { purpose: 'privacy', granted: true, source: 'webchat' },
        { purpose: 'updates', granted: true, source: 'webchat', contact: contact.value },
      ],
    });
    return { ticketReference: result.ticketReference, messageId: result.messageId, duplicate: result.duplicate };
  }

  /**
   * A photo from the citizen: the raw image as the request body. Its type is judged by its bytes,
   * never by the name or the declared type; then it enters like any message.
   */
  @Post(':slug/photos')
  @UseGuards(WebchatRestThrottle)
  @HttpCode(201)
  @ApiHeader({ name: 'X-Webchat-Session', required: true })
  async photo(
    @Param('slug') slug: string,
    @Headers('x-webchat-session') token: string | undefined,
    @Query('clientMessageId') clientMessageId: string | undefined,
    @Query('filename') filename: string | undefined,
    @Req() req: Request,
  ) {
    const comune = await this.comune(slug);
    const address = this.sessions.verify(token, comune.id);
    if (!address) throw invalidField('X-Webchat-Session', 'is not a session of this comune');
    if (clientMessageId !== undefined && !/^[A-Za-z0-9_-]{1,100}$/.test(clientMessageId)) {
      throw invalidField('clientMessageId', 'must be 1–100 letters, digits, "-" or "_"');
    }
    const bytes = await readBody(req, this.config.maxAttachmentBytes);
    if (bytes.length === 0) throw invalidField('body', 'the photo is empty');
    const kind = sniffContentType(bytes);
    if (!kind || !IMAGE_TYPES.includes(kind.type)) throw invalidField('body', 'is not a JPEG, PNG, GIF or WebP image');
    const storageKey = await this.storage.put(bytes);
    const base =
      (filename ?? '')
        .replace(/\.[^.]*$/, '')
        .replace(/[^\w\- ]/g, '_')
        .slice(0, 100) || 'foto';
    const result = await this.ingestOrReject({
      channel: WEBCHAT_CHANNEL,
      comuneId: comune.id,
      externalId: `${address}:${clientMessageId ?? randomUUID()}`,
      sender: { address },
      text: null,
      attachments: [{ storageKey, filename: `${base}.${kind.ext}`, contentType: kind.type, sizeBytes: bytes.length }],
    });
    return { ticketReference: result.ticketReference, messageId: result.messageId, duplicate: result.duplicate };
  }

  private async ingestOrReject(input: Parameters<IngestService['ingest']>[0]) {
    try {
      return await this.ingest.ingest(input);
    } catch (err) {
      if (err instanceof RejectedInputError) {
        if (err.status === 400) throw invalidField(err.field, err.message);
        throw new HttpException(
          { statusCode: err.status, message: `${err.field}: ${err.message}`, fields: [{ field: err.field, message: err.message }] },
          err.status,
        );
      }
      throw err;
    }
  }

  private async comune(slug: string): Promise<Comune> {
    if (!/^[a-z0-9-]{1,60}$/.test(slug)) throw invalidField('slug', 'is not a comune slug');
    return this.comuni.getBySlug(slug);
  }
}

/** The request body as bytes, refusing with 413 as soon as it grows past the limit. */
function readBody(req: Request, limit: number): Promise<Buffer> {
  // A JSON or form body was already consumed by the parsers: it cannot be an image anyway.
  if (req.readableEnded || (req as Request & { _body?: boolean })._body) {
    return Promise.reject(invalidField('Content-Type', 'send the image bytes as image/* or application/octet-stream'));
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(
      new HttpException(
        {
          statusCode: 413,
          message: `body: the photo is larger than ${limit} bytes`,
          fields: [{ field: 'body', message: `is larger than ${limit} bytes` }],
        },
        413,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(
          new HttpException(
            {
              statusCode: 413,
              message: `body: the photo is larger than ${limit} bytes`,
              fields: [{ field: 'body', message: `is larger than ${limit} bytes` }],
            },
            413,
          ),
        );
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

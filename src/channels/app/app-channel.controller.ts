import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiHeader, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsLatitude,
  IsLongitude,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Public } from '../../auth/auth.guard.js';
import { invalidField } from '../../common/errors.js';
import { CaseTypeRegistry } from '../../cases/case-type.registry.js';
import { AttachmentStorage, IMAGE_TYPES, sniffContentType } from '../../storage/storage.js';
import { MESSAGE_COLUMNS, toCitizenMessageView, toMessageView } from '../../cases/ticket-views.js';
import type { InboundAttachment } from '../../conversations/inbound-message.js';
import { IngestService } from '../../conversations/ingest.service.js';
import { Metrics } from '../../ops/metrics.js';
import { InSystemScope } from '../../tenancy/db-scope.js';
import { inComune } from '../../tenancy/db-scope.js';
import { ThrottleAuthFailures } from '../../security/throttle.js';

export const APP_CHANNEL = 'app';

class AppCitizenDto {
  @ApiProperty({ description: "The app's own stable id of the user", example: 'u-48213' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:@-]{1,100}$/, { message: 'must be 1–100 letters, digits or _ . : @ -' })
  id!: string;
  @ApiPropertyOptional({ example: 'Maria Rossi' }) @IsOptional() @IsString() @MaxLength(120) name?: string;
}

class LocationDto {
  @ApiProperty({ example: 41.1171 }) @IsNumber() @IsLatitude({ message: 'must be a latitude between -90 and 90' }) lat!: number;
  @ApiProperty({ example: 16.8719 }) @IsNumber() @IsLongitude({ message: 'must be a longitude between -180 and 180' }) lng!: number;
}

class PhotoDto {
  @ApiPropertyOptional({ example: 'lampione.jpg' }) @IsOptional() @IsString() @MaxLength(200) filename?: string;
  @ApiProperty({ description: 'The image, base64-encoded (JPEG, PNG, GIF or WebP)' })
  @IsString()
  @MinLength(4)
  data!: string;
}

export class AppMessageDto {
  @ApiProperty({ description: "The app's unique id of this message: sending it again stores nothing new", example: '7f1c2d0e-3a' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,120}$/, { message: 'must be 1–120 letters, digits or _ . : -' })
  messageId!: string;
  @ApiProperty({ type: AppCitizenDto }) @IsObject() @ValidateNested() @Type(() => AppCitizenDto) citizen!: AppCitizenDto;
  @ApiPropertyOptional({ example: 'Il lampione di via Sparano è spento da tre giorni.' }) @IsOptional() @IsString() text?: string;
  @ApiPropertyOptional({
    description: 'A case type (`x-case-types` in this document): request (the default), report, …',
    example: 'report',
  })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,39}$/, { message: 'must be a case type name' })
  type?: string;
  @ApiPropertyOptional({ example: 'illuminazione' }) @IsOptional() @IsString() @MaxLength(100) category?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) subject?: string;
  @ApiPropertyOptional({ description: 'Continue this ticket instead of opening a new one', example: 'BA-2026-000123' })
  @IsOptional()
  @Matches(/^[A-Z]{2,4}-\d{4}-\d{6,}$/, { message: 'must look like BA-2026-000123' })
  ticketReference?: string;
  @ApiPropertyOptional({ type: LocationDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => LocationDto) location?: LocationDto;
  @ApiPropertyOptional({ type: [PhotoDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3, { message: 'at most 3 photos' })
  @ValidateNested({ each: true })
  @Type(() => PhotoDto)
  photos?: PhotoDto[];
  @ApiPropertyOptional({ description: 'Type-specific data, e.g. {"address": "Via Sparano 12"} for a report' })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;
}

/**
 * Resolves a comune's app API key (sent as X-Api-Key) to its channel account. Keys are stored hashed.
 * A valid key is remembered for a few seconds: under load the lookup was one of the few database
 * round trips of every message (see docs/benchmarks.md). So a key disabled or deleted stops
 * working on each instance within KEY_CACHE_MS; a refused key is never remembered.
 */
@Injectable()
export class AppKeys {
  static readonly KEY_CACHE_MS = 5_000;
  private readonly valid = new Map<string, { account: { accountId: number; comuneId: number }; at: number }>();

  constructor(private readonly ds: DataSource) {}

  static hash(key: string): string {
    return createHash('sha256').update(key).digest('hex');
  }

  @InSystemScope('app-keys')
  async resolve(key: string | undefined): Promise<{ accountId: number; comuneId: number }> {
    if (!key) throw new UnauthorizedException('X-Api-Key header is missing');
    const hash = AppKeys.hash(key);
    const hit = this.valid.get(hash);
    if (hit && Date.now() - hit.at < AppKeys.KEY_CACHE_MS) return hit.account;
    const rows = await this.ds.query(`SELECT id, comune_id FROM channel_accounts WHERE channel = $1 AND key_hash = $2 AND enabled`, [
      APP_CHANNEL,
      hash,
    ]);
    if (!rows.length) {
      this.valid.delete(hash);
      throw new UnauthorizedException('X-Api-Key is not valid');
    }
    const account = { accountId: rows[0].id, comuneId: rows[0].comune_id };
    // Bounded: one entry per comune's key in practice; a flood of distinct valid keys cannot exist.
    if (this.valid.size >= 1_000) this.valid.clear();
    this.valid.set(hash, { account, at: Date.now() });
    return account;
  }
}

/** The channel of the BariUnica app and of third-party services, authenticated by a per-comune API key. */
@ApiTags('app channel')
@ApiHeader({ name: 'X-Api-Key', required: true, description: "The comune's app API key" })
@Public()
@ThrottleAuthFailures('apikey')
@Controller('api/app/v1')
export class AppChannelController {
  constructor(
    private readonly keys: AppKeys,
    private readonly ingest: IngestService,
    private readonly ds: DataSource,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
    private readonly metrics: Metrics,
    private readonly caseTypes: CaseTypeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 201 when stored, 200 when the same messageId was already stored (nothing new is created). */
  @Post('messages')
  async post(@Headers('x-api-key') key: string | undefined, @Body() body: AppMessageDto, @Res({ passthrough: true }) res: Response) {
    const lap = this.metrics.laps(this.config.stageTiming);
    const account = await this.keys.resolve(key);
    lap('http.apikey');
    // An unknown type is refused before any photo is stored.
    if (body.type !== undefined && !this.caseTypes.find(body.type))
      throw invalidField('type', `must be one of ${this.caseTypes.names().join(', ')}`);
    const attachments = await this.storePhotos(body.photos ?? []);
    const result = await this.ingest.ingest({
      channel: APP_CHANNEL,
      comuneId: account.comuneId,
      externalId: `${account.accountId}:${body.messageId}`,
      sender: { address: `${account.accountId}:${body.citizen.id}`, displayName: body.citizen.name ?? null },
      text: body.text ?? null,
      attachments,
      location: body.location ? { lat: body.location.lat, lng: body.location.lng } : null,
      ticket: {
        type: body.type,
        category: body.category ?? null,
        subject: body.subject ?? null,
        payload: body.payload,
        reference: body.ticketReference ?? null,
        forceNew: body.type === 'report' && !body.ticketReference,
      },
    });
    res.status(result.duplicate ? HttpStatus.OK : HttpStatus.CREATED);
    return { ticketReference: result.ticketReference, messageId: result.messageId, duplicate: result.duplicate };
  }

  /** The ticket as its citizen sees it: status and the conversation without internal notes. */
  @Get('tickets/:reference')
  @HttpCode(200)
  async ticket(
    @Headers('x-api-key') key: string | undefined,
    @Param('reference') reference: string,
    @Query('citizenId') citizenId: string | undefined,
  ) {
    const account = await this.keys.resolve(key);
    if (!citizenId) throw invalidField('citizenId', 'is required');
    return inComune(account.comuneId, () => this.citizenView(account, reference, citizenId));
  }

  private async citizenView(account: { accountId: number; comuneId: number }, reference: string, citizenId: string) {
    // The key's comune only: a citizen known to several comuni (one person, identities adopted from
    // replies) still reads another comune's ticket through that comune's own channels, not this key.
    const [t] = await this.ds.query(
      `SELECT t.id, t.reference, t.status, t.type, t.created_at FROM tickets t JOIN citizen_identities i ON i.citizen_id = t.citizen_id
        WHERE t.reference = $1 AND i.channel = $2 AND i.address = $3 AND t.comune_id = $4`,
      [reference.toUpperCase(), APP_CHANNEL, `${account.accountId}:${citizenId}`, account.comuneId],
    );
    if (!t) throw new NotFoundException(`ticket ${reference} not found for this citizen`);
    const rows = await this.ds.query(
      `SELECT ${MESSAGE_COLUMNS}, o.name AS operator_name FROM messages m LEFT JOIN operators o ON o.id = m.author_operator_id
        WHERE m.ticket_id = $1 AND NOT m.internal ORDER BY m.id`,
      [t.id],
    );
    return {
      reference: t.reference,
      status: t.status,
      type: t.type,
      createdAt: new Date(t.created_at).toISOString(),
      messages: rows.map((r: any) => toCitizenMessageView(toMessageView(r), t.reference, r.operator_name ?? undefined)),
    };
  }

  private async storePhotos(photos: Array<{ filename?: string; data: string }>): Promise<InboundAttachment[]> {
    const out: InboundAttachment[] = [];
    for (const [i, p] of photos.entries()) {
      const field = `photos[${i}].data`;
      if (!/^[A-Za-z0-9+/=\r\n]+$/.test(p.data)) throw invalidField(field, 'is not base64');
      if (p.data.length * 0.75 > this.config.maxAttachmentBytes * 1.01)
        throw invalidField(field, `is larger than ${this.config.maxAttachmentBytes} bytes`);
      const bytes = Buffer.from(p.data, 'base64');
      if (bytes.length > this.config.maxAttachmentBytes)
        throw invalidField(field, `is larger than ${this.config.maxAttachmentBytes} bytes`);
      const kind = sniffContentType(bytes);
      if (!kind || !IMAGE_TYPES.includes(kind.type)) throw invalidField(field, 'is not a JPEG, PNG, GIF or WebP image');
      const storageKey = await this.storage.put(bytes);
      const filename = (p.filename ?? `foto-${i + 1}.${kind.ext}`).replace(/[^\w.\- ]/g, '_').slice(0, 200);
      out.push({ storageKey, filename, contentType: kind.type, sizeBytes: bytes.length });
    }
    return out;
  }
}

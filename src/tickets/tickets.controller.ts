import { Body, Controller, Get, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { create as contentDisposition } from 'content-disposition';
import type { Response } from 'express';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../common/tenant-scope.js';
import { AttachmentStorage } from '../storage/storage.js';
import type { MessageView, TicketDetail, TicketEvent, TicketSummary } from './tickets.api.js';
import { PRIORITIES, TICKET_STATUSES } from './ticket.entity.js';
import { TicketsService } from './tickets.service.js';

const csv = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

export class ListTicketsQuery {
  @ApiPropertyOptional({ description: 'Comma-separated statuses', example: 'new,open' })
  @IsOptional()
  @Transform(csv)
  @IsIn(TICKET_STATUSES, { each: true, message: `each status must be one of ${TICKET_STATUSES.join(', ')}` })
  status?: string[];
  @ApiPropertyOptional({ description: 'Comma-separated: unrouted, queued, offered, assigned, done' })
  @IsOptional()
  @Transform(csv)
  @IsIn(['unrouted', 'queued', 'offered', 'assigned', 'done'], { each: true })
  queueState?: string[];
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) groupId?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) assigneeId?: number;
  @ApiPropertyOptional({ description: 'Only tickets assigned or offered to me' })
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  mine?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) channel?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) type?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) category?: string;
  @ApiPropertyOptional({ description: 'Reference or subject contains' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString() to?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'Page: tickets with a smaller id' }) @IsOptional() @Matches(/^\d{1,18}$/) beforeId?: string;
}

export class ReplyDto {
  @ApiProperty({ example: 'Buongiorno, la sua richiesta è stata presa in carico.' })
  @IsString({ message: 'must be a text' })
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(4000)
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  text!: string;
  @ApiPropertyOptional({ description: 'An internal note: seen by operators only, never sent to the citizen' })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  internal?: boolean;
}

export class UpdateTicketDto {
  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES, { message: `must be one of ${TICKET_STATUSES.join(', ')}` })
  status?: string;
  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsIn(PRIORITIES, { message: `must be one of ${PRIORITIES.join(', ')}` })
  priority?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(100) category?:
    string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) type?: string;
  @ApiPropertyOptional({
    description: 'For a case type with its own stages: the stage to move to (its manifest lists which may follow which)',
  })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,39}$/, { message: 'must be a stage name' })
  stage?: string;
}

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('api')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
  ) {}

  @Get('tickets')
  list(@CurrentPrincipal() p: Principal, @Query() q: ListTicketsQuery): Promise<TicketSummary[]> {
    return this.tickets.list(p, { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });
  }

  @Get('tickets/:id')
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<TicketDetail> {
    return this.tickets.get(p, id);
  }

  @Get('tickets/:id/events')
  events(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<TicketEvent[]> {
    return this.tickets.events(p, id);
  }

  @Post('tickets/:id/messages')
  reply(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ReplyDto): Promise<MessageView> {
    return this.tickets.reply(p, id, body.text, body.internal ?? false);
  }

  @Patch('tickets/:id')
  update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: UpdateTicketDto): Promise<TicketSummary> {
    return this.tickets.update(p, id, body);
  }

  @Get('attachments/:id')
  async attachment(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const a = await this.tickets.attachment(p, id);
    const bytes = await this.storage.get(a.storageKey);
    res.setHeader('Content-Type', a.contentType);
    // RFC 6266: an ISO-8859-1 fallback in filename= and the exact UTF-8 name in filename*= (€, 日本, ’).
    res.setHeader('Content-Disposition', contentDisposition(a.filename));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(bytes);
  }
}

import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  Equals,
  IsBoolean,
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { invalidField, notFoundField } from '../common/errors.js';
import type { Principal } from '../common/tenant-scope.js';
import { CounterIntake } from '../channels/counter/counter-intake.js';
import { COUNTER_CHANNELS, type CounterChannel } from '../channels/counter/counter-normalize.js';
import { normalizeContact } from '../common/contacts.js';
import type { CounterTicketCreated } from './console.api.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

class CounterCitizenDto {
  @ApiPropertyOptional({ example: 'Maria Rossi' }) @IsOptional() @Transform(trim) @IsString() @MaxLength(120) name?: string;
  @ApiPropertyOptional({ example: '+39 080 123 4567' }) @IsOptional() @Transform(trim) @IsString() @MaxLength(40) phone?: string;
  @ApiPropertyOptional({ example: 'maria.rossi@example.it' }) @IsOptional() @Transform(trim) @IsString() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ example: 'RSSMRA80A41A662X' })
  @IsOptional()
  @Transform(trim)
  @Matches(/^[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z]\d{3}[A-Za-z]$/, { message: 'must be a 16-character Italian fiscal code' })
  fiscalCode?: string;
}

class CounterLocationDto {
  @ApiProperty() @IsNumber() @IsLatitude({ message: 'must be a latitude between -90 and 90' }) lat!: number;
  @ApiProperty() @IsNumber() @IsLongitude({ message: 'must be a longitude between -180 and 180' }) lng!: number;
}

export class CounterTicketDto {
  @ApiProperty({ enum: COUNTER_CHANNELS })
  @IsIn(COUNTER_CHANNELS, { message: `must be one of ${COUNTER_CHANNELS.join(', ')}` })
  channel!: CounterChannel;
  @ApiProperty({ type: CounterCitizenDto })
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => CounterCitizenDto)
  citizen!: CounterCitizenDto;
  @ApiProperty({ description: "What the citizen asked, in the operator's words" })
  @Transform(trim)
  @IsString({ message: 'must be a text' })
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(4000)
  text!: string;
  @ApiPropertyOptional({ example: 'request' }) @IsOptional() @IsString() @MaxLength(40) type?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @MaxLength(100) category?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @MaxLength(300) subject?: string;
  @ApiPropertyOptional({ type: CounterLocationDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CounterLocationDto)
  location?: CounterLocationDto;
  @ApiProperty({ description: 'The citizen agreed to the privacy notice (required to store their request)' })
  @Equals(true, { message: 'the citizen must agree to the privacy notice before the request is recorded' })
  privacyConsent!: boolean;
  @ApiPropertyOptional({ description: 'The citizen wants to be updated on the given contact' })
  @IsOptional()
  @IsBoolean()
  updatesConsent?: boolean;
  @ApiPropertyOptional({ description: 'Only for the metropolitan administrator: the comune to file the request with' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  comuneId?: number;
}

/**
 * A request taken by phone or at the desk, entered by the operator for the citizen. It enters
 * through its channel (src/channels/counter/) like any other message, so it is routed like any
 * other; the console adds who entered it to the ticket's history and the consents the citizen gave.
 */
@ApiTags('console')
@ApiBearerAuth()
@Controller('api/console')
export class CounterTicketsController {
  constructor(private readonly counter: CounterIntake) {}

  @Post('tickets')
  @HttpCode(201)
  async create(@CurrentPrincipal() p: Principal, @Body() body: CounterTicketDto): Promise<CounterTicketCreated> {
    const comuneId = p.comuneId ?? body.comuneId;
    if (comuneId === undefined) throw invalidField('comuneId', 'is required for the metropolitan administrator');
    if (p.comuneId !== null && body.comuneId !== undefined && body.comuneId !== p.comuneId)
      throw notFoundField('comuneId', `comune ${body.comuneId} not found`);

    const phone = body.citizen.phone ? normalizeContact(body.citizen.phone) : null;
    if (body.citizen.phone && phone?.kind !== 'phone') throw invalidField('citizen.phone', 'is not a phone number');
    const email = body.citizen.email ? normalizeContact(body.citizen.email) : null;
    if (body.citizen.email && email?.kind !== 'email') throw invalidField('citizen.email', 'is not an e-mail address');
    if (body.updatesConsent && !phone && !email) throw invalidField('citizen', 'a phone number or an e-mail is needed to send updates');

    const contact = phone?.value ?? email?.value ?? null;
    // The ticket, who entered it and the citizen's consents: one transaction (the ingest's), all or nothing.
    const result = await this.counter.receive({
      channel: body.channel,
      comuneId,
      operatorId: p.operatorId,
      citizen: { name: body.citizen.name, fiscalCode: body.citizen.fiscalCode, phone: phone?.value ?? null, email: email?.value ?? null },
      text: body.text,
      location: body.location,
      ticket: { type: body.type, category: body.category, subject: body.subject },
      events: [
        { type: 'ticket.entered_for_citizen', actorType: 'operator', actorOperatorId: p.operatorId, data: { channel: body.channel } },
      ],
      consents: [
        { purpose: 'privacy', granted: true, source: body.channel, recordedBy: p.operatorId },
        ...(body.updatesConsent !== undefined
          ? [{ purpose: 'updates' as const, granted: body.updatesConsent, source: body.channel, contact, recordedBy: p.operatorId }]
          : []),
      ],
    });
    return { ticketId: result.ticketId, ticketReference: result.ticketReference };
  }
}

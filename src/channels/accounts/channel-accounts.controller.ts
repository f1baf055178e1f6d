import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import { CurrentPrincipal, Roles } from '../../auth/auth.guard.js';
import type { Principal } from '../../common/tenant-scope.js';
import { ChannelAccountsService } from './channel-accounts.service.js';

export class CreateChannelAccountDto {
  @ApiPropertyOptional({ description: 'The comune (the metropolitan administrator only; a manager creates for their own)' })
  @IsOptional()
  @IsInt({ message: 'must be a comune id' })
  @Min(1)
  comuneId?: number;
  // The known channels are checked by the service against ACCOUNT_SCHEMAS when the request comes,
  // so a channel module registering its schema later than this class is defined is still accepted.
  @ApiProperty({ description: 'whatsapp, whatsapp-web, telegram, email', example: 'telegram' })
  @IsString({ message: 'must be a channel name' })
  channel!: string;
  @ApiProperty({ example: 'WhatsApp URP Bari' }) @IsString() @MinLength(1) @MaxLength(120) label!: string;
  @ApiPropertyOptional({
    description: 'Public settings, per channel (see README)',
    example: { phoneNumberId: '106540352242922', displayPhoneNumber: '+39 080 5771111' },
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
  @ApiPropertyOptional({
    description: 'Write-only: stored, never returned',
    example: { accessToken: '…', appSecret: '…', verifyToken: '…' },
  })
  @IsOptional()
  @IsObject()
  secrets?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
}

export class UpdateChannelAccountDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(120) label?: string;
  @ApiPropertyOptional({ description: 'Settings to change (merged with the current ones)' }) @IsOptional() @IsObject() config?: Record<
    string,
    unknown
  >;
  @ApiPropertyOptional({ description: 'Secrets to replace; a key left out keeps its value' }) @IsOptional() @IsObject() secrets?: Record<
    string,
    unknown
  >;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
}

export class ListChannelAccountsQuery {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) comuneId?: number;
}

/** A comune's WhatsApp numbers and Telegram bots, managed by its manager or the metropolitan administrator. */
@ApiTags('channel accounts')
@ApiBearerAuth()
@Roles('manager', 'metro_admin')
@Controller('api/channel-accounts')
export class ChannelAccountsController {
  constructor(private readonly accounts: ChannelAccountsService) {}

  @Get()
  list(@CurrentPrincipal() p: Principal, @Query() q: ListChannelAccountsQuery) {
    return this.accounts.list(p, q.comuneId);
  }

  @Get(':id')
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.accounts.get(p, id);
  }

  @Post()
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateChannelAccountDto) {
    return this.accounts.create(p, body);
  }

  @Patch(':id')
  update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: UpdateChannelAccountDto) {
    return this.accounts.update(p, id, body);
  }

  /** Disables the account (kept: the citizens' conversations refer to it). */
  @Delete(':id')
  @HttpCode(200)
  disable(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.accounts.update(p, id, { enabled: false });
  }
}

import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../auth/auth.guard.js';
import type { Principal } from '../../common/tenant-scope.js';
import type { ComunePrivacy } from './privacy.api.js';
import { ComunePrivacySettings } from './settings.js';

/**
 * "Privacy e conservazione" of the console: a comune's retention period of closed cases and its
 * privacy event log. The comune's manager (or the metropolitan administrator); another comune: 404.
 */
@ApiTags('console')
@ApiBearerAuth()
@Controller('api/console/comuni/:id/privacy')
export class ConsolePrivacyController {
  constructor(private readonly settings: ComunePrivacySettings) {}

  @Get()
  @Roles('manager', 'metro_admin')
  @ApiOperation({ summary: "The comune's retention of closed cases and its privacy event log" })
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ComunePrivacy> {
    return this.settings.get(p, id);
  }

  @Put('retention')
  @Roles('manager', 'metro_admin')
  @ApiOperation({ summary: 'Months a closed case is kept before its personal data are removed (null: kept)' })
  put(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown): Promise<ComunePrivacy> {
    return this.settings.setRetention(p, id, body);
  }
}

import { Body, Controller, Get, Param, Put, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentPrincipal, Public, Roles } from '../../auth/auth.guard.js';
import type { Principal } from '../../common/tenant-scope.js';
import { CitizenViewer } from '../kernel/viewer.js';
import type { PlanningMap } from './planning.api.js';
import { PlanningService } from './planning.service.js';

/** The map of a planning hypothesis: public to read; drawn by the comune's staff. */
@ApiTags('portal')
@Controller()
export class PlanningController {
  constructor(
    private readonly planning: PlanningService,
    private readonly viewer: CitizenViewer,
  ) {}

  @Public()
  @Get('api/portal/v1/participation/planning/items/:id/map')
  async map(@Req() req: Request, @Param('id') id: string, @Query('lang') lang?: string): Promise<PlanningMap> {
    return this.planning.map(id, lang === 'en' ? 'en' : 'it', await this.viewer.of(req));
  }

  @Roles('supervisor', 'manager', 'metro_admin')
  @Put('api/console/participation/planning/items/:id/map')
  setMap(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown): Promise<{ itemId: string }> {
    return this.planning.setMap(id, body, p.operatorId);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { Response } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard.js';
import type { Principal } from '../common/tenant-scope.js';
import { PRIORITIES } from '../tickets/ticket.entity.js';
import { BacklogReport } from './reports/backlog.report.js';
import { CsatReport } from './reports/csat.report.js';
import { DrilldownReport } from './reports/drilldown.report.js';
import { LiveBoardReport } from './reports/live-board.report.js';
import { MapReport } from './reports/map.report.js';
import { OpenDataReport } from './reports/open-data.report.js';
import { BREAKDOWNS, type Breakdown } from './reports/report-filter.js';
import { ReportScope } from './reports/report-scope.js';
import { ResponseTimesReport } from './reports/response-times.report.js';
import { SlaReport } from './reports/sla.report.js';
import { TicketSlaReport } from './reports/ticket-sla.report.js';
import { VolumesReport } from './reports/volumes.report.js';
import { SettingsService } from './settings.service.js';
import { toCsv } from './csv.js';
import type { AnalyticsComune } from './analytics.api.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class AnalyticsQuery {
  @ApiPropertyOptional({ description: 'First day (YYYY-MM-DD, Europe/Rome), default 29 days before "to"', example: '2025-03-01' })
  @IsOptional()
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  from?: string;
  @ApiPropertyOptional({ description: 'Last day included (YYYY-MM-DD), default today', example: '2025-03-31' })
  @IsOptional()
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  to?: string;
  @ApiPropertyOptional({ description: 'Metropolitan admin: one comune (default: all); others: their own comune only' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a comune id' })
  @Min(1)
  comuneId?: number;
  @ApiPropertyOptional({ enum: BREAKDOWNS, description: 'Rows per comune, day, group, operator, channel, type, category or priority' })
  @IsOptional()
  @IsIn(BREAKDOWNS, { message: `must be one of ${BREAKDOWNS.join(', ')}` })
  breakdown?: Breakdown;
  @ApiPropertyOptional({ description: 'Filter: one competence group' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a group id' })
  @Min(1)
  groupId?: number;
  @ApiPropertyOptional({ description: 'Filter: one operator' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an operator id' })
  @Min(1)
  operatorId?: number;
  @ApiPropertyOptional({ description: 'Filter: one channel' }) @IsOptional() @IsString() @MaxLength(40) channel?: string;
  @ApiPropertyOptional({ description: 'Filter: one ticket type' }) @IsOptional() @IsString() @MaxLength(40) type?: string;
  @ApiPropertyOptional({ description: 'Filter: one category ("-" for none)' }) @IsOptional() @IsString() @MaxLength(100) category?: string;
  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsIn(PRIORITIES, { message: `must be one of ${PRIORITIES.join(', ')}` })
  priority?: string;
  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: the table as a CSV download' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'must be json or csv' })
  format?: 'json' | 'csv';
}

export class LiveQuery {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt({ message: 'must be a comune id' }) @Min(1) comuneId?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt({ message: 'must be a group id' }) @Min(1) groupId?: number;
  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv'], { message: 'must be json or csv' }) format?:
    'json' | 'csv';
}

const DRILL_METRICS = ['first_response', 'next_response', 'resolution', 'created'] as const;
export class DrilldownQuery extends AnalyticsQuery {
  @ApiProperty({ enum: DRILL_METRICS })
  @IsIn(DRILL_METRICS, { message: `must be one of ${DRILL_METRICS.join(', ')}` })
  metric!: (typeof DRILL_METRICS)[number];
  @ApiPropertyOptional({ description: 'Only samples that breached (true) or met (false) their SLA' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  breached?: boolean;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100_000) offset?: number;
}

/**
 * Response-time analytics for supervisors, managers and the metropolitan admin (plain operators
 * have no access). Every table answers JSON or, with `format=csv`, a CSV download.
 */
@ApiTags('analytics')
@ApiBearerAuth()
@Roles('supervisor', 'manager', 'metro_admin')
@Controller('api/analytics')
export class AnalyticsController {
  constructor(
    private readonly scope: ReportScope,
    private readonly liveBoard: LiveBoardReport,
    private readonly backlogReport: BacklogReport,
    private readonly responseTimesReport: ResponseTimesReport,
    private readonly volumesReport: VolumesReport,
    private readonly slaReport: SlaReport,
    private readonly csatReport: CsatReport,
    private readonly mapReport: MapReport,
    private readonly drilldownReport: DrilldownReport,
    private readonly openDataReport: OpenDataReport,
    private readonly settings: SettingsService,
  ) {}

  @Get('live')
  async live(@CurrentPrincipal() p: Principal, @Query() q: LiveQuery, @Res({ passthrough: true }) res: Response) {
    const out = await this.liveBoard.build(p, q);
    return q.format === 'csv' ? csv(res, 'live', [out]) : out;
  }

  @Get('backlog')
  async backlog(@CurrentPrincipal() p: Principal, @Query() q: LiveQuery, @Res({ passthrough: true }) res: Response) {
    const out = await this.backlogReport.build(p, q);
    return q.format === 'csv' ? csv(res, 'backlog', out.rows) : out;
  }

  @Get('response-times')
  async responseTimes(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsQuery, @Res({ passthrough: true }) res: Response) {
    const out = await this.responseTimesReport.build(p, q);
    return q.format === 'csv' ? csv(res, 'response-times', out.rows) : out;
  }

  @Get('volumes')
  async volumes(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsQuery, @Res({ passthrough: true }) res: Response) {
    const out = await this.volumesReport.build(p, q);
    return q.format === 'csv' ? csv(res, 'volumes', out.rows) : out;
  }

  @Get('volumes/by-hour')
  async volumesByHour(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsQuery, @Res({ passthrough: true }) res: Response) {
    const out = await this.volumesReport.build(p, { ...q, breakdown: 'none' });
    return q.format === 'csv' ? csv(res, 'volumes-by-hour', out.byHourOfDay) : { period: out.period, rows: out.byHourOfDay };
  }

  @Get('sla')
  async sla(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsQuery, @Res({ passthrough: true }) res: Response) {
    const out = await this.slaReport.build(p, q);
    return q.format === 'csv' ? csv(res, 'sla', out.rows) : out;
  }

  @Get('csat')
  async csat(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsQuery, @Res({ passthrough: true }) res: Response) {
    const out = await this.csatReport.build(p, q);
    return q.format === 'csv' ? csv(res, 'csat', out.rows) : out;
  }

  @Get('map')
  async map(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsQuery, @Res({ passthrough: true }) res: Response) {
    const out = await this.mapReport.build(p, q);
    return q.format === 'csv' ? csv(res, 'map', out.rows) : out;
  }

  @Get('drilldown')
  async drilldown(@CurrentPrincipal() p: Principal, @Query() q: DrilldownQuery, @Res({ passthrough: true }) res: Response) {
    const out = await this.drilldownReport.build(p, q);
    return q.format === 'csv' ? csv(res, `drilldown-${q.metric}`, out.rows) : out;
  }

  @Get('open-data')
  async openData(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsQuery, @Res({ passthrough: true }) res: Response) {
    const out = await this.openDataReport.build(p, q);
    return q.format === 'csv' ? csv(res, 'open-data', out.rows) : out;
  }

  @Get('comuni')
  async comuni(@CurrentPrincipal() p: Principal): Promise<AnalyticsComune[]> {
    const ids = new Set(await this.scope.scopeComuni(p));
    return (await this.scope.comuni())
      .filter((c) => ids.has(c.id))
      .map((c) => ({ id: c.id, name: c.name, slug: c.slug, istatCode: c.istat_code }));
  }

  @Get('calendars/:comuneId')
  calendar(@CurrentPrincipal() p: Principal, @Param('comuneId', ParseIntPipe) comuneId: number) {
    return this.settings.getCalendar(p, comuneId);
  }

  @Put('calendars/:comuneId')
  @Roles('manager', 'metro_admin')
  putCalendar(@CurrentPrincipal() p: Principal, @Param('comuneId', ParseIntPipe) comuneId: number, @Body() body: unknown) {
    return this.settings.putCalendar(p, comuneId, body);
  }

  @Get('sla-policies')
  policies(@CurrentPrincipal() p: Principal, @Query() q: LiveQuery) {
    return this.settings.listPolicies(p, q.comuneId, q.groupId);
  }

  @Post('sla-policies')
  @Roles('manager', 'metro_admin')
  createPolicy(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.settings.createPolicy(p, body);
  }

  @Put('sla-policies/:id')
  @Roles('manager', 'metro_admin')
  updatePolicy(@CurrentPrincipal() p: Principal, @Param('id', ParseIntPipe) id: number, @Body() body: unknown) {
    return this.settings.updatePolicy(p, id, body);
  }

  @Delete('sla-policies/:id')
  @Roles('manager', 'metro_admin')
  @HttpCode(204)
  async deletePolicy(@CurrentPrincipal() p: Principal, @Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.settings.deletePolicy(p, id);
  }
}

/** Due times of one ticket: for every operator who can see it (shown beside the conversation). */
@ApiTags('analytics')
@ApiBearerAuth()
@Controller('api/analytics/tickets')
export class TicketSlaController {
  constructor(private readonly ticketSlaReport: TicketSlaReport) {}

  @Get(':id/sla')
  ticketSla(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.ticketSlaReport.build(p, id);
  }
}

function csv(res: Response, name: string, rows: readonly object[]): string {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="sportello-${name}.csv"`);
  return toCsv(rows as Array<Record<string, unknown>>);
}

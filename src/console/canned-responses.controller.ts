import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import type { CannedResponse } from './console.api.js';
import { CurrentPrincipal, Roles } from '../auth/auth.guard.js';
import { invalidField } from '../common/errors.js';
import { assertRefsInScope } from '../common/scope-refs.js';
import { seesWholeComune, TenantScope, type Principal } from '../common/tenant-scope.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CannedResponseDto {
  @ApiProperty({ example: 1 }) @Type(() => Number) @IsInt({ message: 'must be a group id' }) @Min(1) groupId!: number;
  @ApiProperty({ example: 'orari', description: 'Typed after "/" in the reply box' })
  @Transform(trim)
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,39}$/, { message: 'must be 1–40 lowercase letters, digits, "-" or "_"' })
  shortcut!: string;
  @ApiProperty({ example: 'Orari di apertura' })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(120)
  title!: string;
  @ApiProperty({ example: "L'ufficio è aperto dal lunedì al venerdì, 9–13." })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(4000)
  body!: string;
}

export class UpdateCannedResponseDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,39}$/, { message: 'must be 1–40 lowercase letters, digits, "-" or "_"' })
  shortcut?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(120)
  title?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(4000)
  body?: string;
}

export class CannedQuery {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) groupId?: number;
}

interface CannedRow {
  id: number;
  comune_id: number;
  group_id: number;
  shortcut: string;
  title: string;
  body: string;
  updated_at: Date;
}
const view = (r: CannedRow): CannedResponse => ({
  id: r.id,
  comuneId: r.comune_id,
  groupId: r.group_id,
  shortcut: r.shortcut,
  title: r.title,
  body: r.body,
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * Canned responses of each competence group. Operators read those of their groups (supervisors
 * and managers every group of their comune); supervisors and managers write them.
 */
@ApiTags('console')
@ApiBearerAuth()
@Controller('api/console/canned-responses')
export class CannedResponsesController {
  constructor(private readonly ds: DataSource) {}

  @Get()
  async list(@CurrentPrincipal() p: Principal, @Query() q: CannedQuery): Promise<CannedResponse[]> {
    await assertRefsInScope(this.ds, p, { groupId: q.groupId });
    const params: unknown[] = [];
    const where = [TenantScope.ofPrincipal(p).sql('comune_id', params)];
    if (!seesWholeComune(p)) {
      params.push(p.groupIds);
      where.push(`group_id = ANY($${params.length}::int[])`);
    }
    if (q.groupId !== undefined) {
      params.push(q.groupId);
      where.push(`group_id = $${params.length}`);
    }
    const rows: CannedRow[] = await this.ds.query(
      `SELECT * FROM canned_responses WHERE ${where.join(' AND ')} ORDER BY group_id, shortcut`,
      params,
    );
    return rows.map(view);
  }

  @Post()
  @Roles('supervisor', 'manager')
  async create(@CurrentPrincipal() p: Principal, @Body() body: CannedResponseDto): Promise<CannedResponse> {
    await this.checkGroup(p, body.groupId);
    try {
      const [row] = await this.ds.query(
        `INSERT INTO canned_responses (comune_id, group_id, shortcut, title, body, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [p.comuneId, body.groupId, body.shortcut, body.title, body.body, p.operatorId],
      );
      return view(row);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw invalidField('shortcut', `"/${body.shortcut}" is already used in this group`);
      throw err;
    }
  }

  @Patch(':id')
  @Roles('supervisor', 'manager')
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: UpdateCannedResponseDto): Promise<CannedResponse> {
    const existing = await this.find(p, id);
    try {
      const [rows] = await this.ds.query(
        `UPDATE canned_responses SET shortcut = COALESCE($2, shortcut), title = COALESCE($3, title), body = COALESCE($4, body),
                updated_at = now() WHERE id = $1 RETURNING *`,
        [existing.id, body.shortcut ?? null, body.title ?? null, body.body ?? null],
      );
      return view(rows[0]);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw invalidField('shortcut', `"/${body.shortcut}" is already used in this group`);
      throw err;
    }
  }

  @Delete(':id')
  @Roles('supervisor', 'manager')
  @HttpCode(204)
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    const existing = await this.find(p, id);
    await this.ds.query(`DELETE FROM canned_responses WHERE id = $1`, [existing.id]);
  }

  private async find(p: Principal, id: string): Promise<CannedRow> {
    if (!/^\d{1,9}$/.test(id)) throw new NotFoundException(`canned response ${id} not found`);
    const params: unknown[] = [Number(id)];
    const rows: CannedRow[] = await this.ds.query(
      `SELECT * FROM canned_responses WHERE id = $1 AND ${TenantScope.ofPrincipal(p).sql('comune_id', params)}`,
      params,
    );
    if (!rows.length) throw new NotFoundException(`canned response ${id} not found`);
    return rows[0];
  }

  private async checkGroup(p: Principal, groupId: number): Promise<void> {
    if (p.comuneId === null) throw invalidField('groupId', 'the metropolitan administrator has no groups of their own');
    // Another comune's group answers as one that does not exist.
    await assertRefsInScope(this.ds, p, { groupId });
  }
}

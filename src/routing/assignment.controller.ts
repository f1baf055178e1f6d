import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../common/tenant-scope.js';
import { AssignmentService } from './assignment.service.js';

export class TransferDto {
  @ApiPropertyOptional() @IsOptional() @IsInt({ message: 'must be a group id' }) @Min(1) groupId?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt({ message: 'must be an operator id' }) @Min(1) operatorId?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

/** An operator takes, declines or transfers a ticket: routing's side of the tickets API (same paths, same tag). */
@ApiTags('tickets')
@ApiBearerAuth()
@Controller('api')
export class AssignmentController {
  constructor(private readonly assignment: AssignmentService) {}

  @Post('tickets/:id/accept')
  @HttpCode(204)
  async accept(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.assignment.accept(p, id);
  }

  @Post('tickets/:id/decline')
  @HttpCode(204)
  async decline(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.assignment.decline(p, id);
  }

  @Post('tickets/:id/transfer')
  @HttpCode(204)
  async transfer(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: TransferDto): Promise<void> {
    await this.assignment.transfer(p, id, body);
  }
}

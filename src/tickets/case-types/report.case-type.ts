import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, ValidateIf } from 'class-validator';
import { defineCaseType } from '../../cases/case-type.js';

const ADDRESS_MESSAGE = 'must be a text of at most 300 characters';

/** What a report may carry besides its position. */
export class ReportPayload {
  @ApiPropertyOptional({ description: 'The address the citizen gave, as written', maxLength: 300, example: 'Via Sparano 12, Bari' })
  // Only a present address is checked (null is refused like any non-text).
  @ValidateIf((o: ReportPayload) => o.address !== undefined)
  @IsString({ message: ADDRESS_MESSAGE })
  @MaxLength(300, { message: ADDRESS_MESSAGE })
  address?: string;
}

/** A report of a disservice at a place (a pothole, a broken street lamp): it needs a position. */
export const REPORT_CASE_TYPE = defineCaseType({
  name: 'report',
  label: { it: 'Segnalazione', en: 'Report' },
  payload: ReportPayload,
  requiresLocation: true,
  needsOperator: true,
});

import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { defineCaseType, type CaseHookContext, type StageChangeContext } from '../../../../src/cases/case-type.js';
import { conflictField } from '../../../../src/common/errors.js';

/**
 * A test-only case type: a citizen asks the comune to inspect a site (a playground, a school roof)
 * on a day. Its own stages, no operator queue, and a visit slot taken in the same transaction as
 * the stage change (one inspection per site and day: the database's uniqueness, not a check in code).
 */
export class InspectionPayload {
  @ApiProperty({ description: 'What to inspect', example: 'Parco giochi di via Roma', maxLength: 200 })
  @IsString({ message: 'must be a text' })
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  site!: string;

  @ApiProperty({ description: 'The day asked for the visit', example: '2027-03-15', pattern: '^\\d{4}-\\d{2}-\\d{2}$' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  day!: string;
}

export const INSPECTION_CASE_TYPE = defineCaseType({
  name: 'inspection',
  label: { it: 'Sopralluogo', en: 'Inspection' },
  payload: InspectionPayload,
  requiresLocation: false,
  needsOperator: false,
  stages: {
    initial: 'requested',
    stages: {
      requested: { phase: 'open', label: { it: 'Richiesto', en: 'Requested' }, next: ['scheduled', 'rejected'] },
      scheduled: { phase: 'open', label: { it: 'Programmato', en: 'Scheduled' }, next: ['awaiting_access', 'inspected'] },
      awaiting_access: { phase: 'waiting', label: { it: 'In attesa di accesso', en: 'Awaiting access' }, next: ['scheduled'] },
      inspected: { phase: 'resolved', label: { it: 'Eseguito', en: 'Inspected' }, next: ['archived'] },
      rejected: { phase: 'closed', label: { it: 'Respinto', en: 'Rejected' }, next: [] },
      archived: { phase: 'closed', label: { it: 'Archiviato', en: 'Archived' }, next: [] },
    },
  },
  hooks: {
    // The request is logged in the type's own table, in the transaction that creates the case; a site
    // the comune has closed to visits refuses it, and the case with its message is not stored.
    async onCreated({ manager, case: c }: CaseHookContext) {
      const [closed] = await manager.query(`SELECT 1 FROM inspection_closed_sites WHERE comune_id = $1 AND site = $2`, [
        c.comuneId,
        c.payload.site,
      ]);
      if (closed) throw conflictField('payload.site', `${String(c.payload.site)} is closed to inspections`);
      await manager.query(`INSERT INTO inspection_requests (ticket_id, comune_id, site) VALUES ($1, $2, $3)`, [
        c.id,
        c.comuneId,
        c.payload.site,
      ]);
    },
    async onStageChange({ manager, case: c, to }: StageChangeContext) {
      if (to !== 'scheduled') return;
      try {
        await manager.query(
          `INSERT INTO inspection_visits (ticket_id, comune_id, site, day) VALUES ($1, $2, $3, $4::date)
           ON CONFLICT (ticket_id) DO NOTHING`,
          [c.id, c.comuneId, c.payload.site, c.payload.day],
        );
      } catch (err) {
        if ((err as { code?: string }).code === '23505')
          throw conflictField('stage', `${String(c.payload.site)} is already booked on ${String(c.payload.day)}`);
        throw err;
      }
    },
  },
});

/** The type's own table (a real service would create it in its migration). */
export const INSPECTION_SCHEMA_SQL = [
  `CREATE TABLE IF NOT EXISTS inspection_visits (
     ticket_id bigint PRIMARY KEY REFERENCES tickets(id), comune_id integer NOT NULL, site text NOT NULL, day date NOT NULL,
     UNIQUE (comune_id, site, day))`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON inspection_visits TO sportello_app`,
  `CREATE TABLE IF NOT EXISTS inspection_requests (ticket_id bigint PRIMARY KEY REFERENCES tickets(id), comune_id integer NOT NULL, site text NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS inspection_closed_sites (comune_id integer NOT NULL, site text NOT NULL, PRIMARY KEY (comune_id, site))`,
  `GRANT SELECT, INSERT ON inspection_requests TO sportello_app`,
  `GRANT SELECT ON inspection_closed_sites TO sportello_app`,
];

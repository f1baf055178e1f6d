import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../common/tenant-scope.js';
import { TICKET_SUMMARY_COLUMNS, toTicketSummary } from '../cases/ticket-views.js';
import { isTicketId, visibleTickets } from '../tickets/ticket-visibility.js';
import type { CitizenPanel, ConsentView } from './console.api.js';

/**
 * Who the citizen behind a ticket is, as far as this operator may know: their channel identities,
 * their other tickets the operator can see (any channel), the privacy consents and the contacts
 * they left. Reached through a ticket, so another comune's citizen is never reachable.
 */
@ApiTags('console')
@ApiBearerAuth()
@Controller('api/console')
export class CitizenPanelController {
  constructor(private readonly ds: DataSource) {}

  @Get('tickets/:id/citizen')
  async citizen(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<CitizenPanel> {
    if (!isTicketId(id)) throw new NotFoundException(`ticket ${id} not found`);
    const params: unknown[] = [id];
    const [t] = await this.ds.query(
      `SELECT t.id, t.citizen_id, t.comune_id, t.citizen_identity_id FROM tickets t WHERE t.id = $1 AND ${visibleTickets(p, params)}`,
      params,
    );
    if (!t) throw new NotFoundException(`ticket ${id} not found`);

    const otherParams: unknown[] = [t.citizen_id, t.id];
    const [citizen, identities, tickets, consents] = await Promise.all([
      // The name and the identities are what this comune was given: another comune's desk is another data controller.
      this.ds.query(
        `SELECT (SELECT display_name FROM citizen_identity_comuni WHERE identity_id = $2 AND comune_id = $3) AS display_name,
                (SELECT min(l.created_at) FROM citizen_identity_comuni l JOIN citizen_identities ci ON ci.id = l.identity_id
                  WHERE ci.citizen_id = $1 AND l.comune_id = $3) AS created_at`,
        [t.citizen_id, t.citizen_identity_id, t.comune_id],
      ),
      this.ds.query(
        `SELECT ci.channel, ci.address, l.display_name, l.created_at FROM citizen_identities ci
           JOIN citizen_identity_comuni l ON l.identity_id = ci.id AND l.comune_id = $2
          WHERE ci.citizen_id = $1 ORDER BY ci.id`,
        [t.citizen_id, t.comune_id],
      ),
      this.ds.query(
        `SELECT ${TICKET_SUMMARY_COLUMNS} FROM tickets t
          WHERE t.citizen_id = $1 AND t.id <> $2 AND ${visibleTickets(p, otherParams)} ORDER BY t.id DESC LIMIT 50`,
        otherParams,
      ),
      // Consents are recorded per comune: what the citizen agreed with another comune is not this one's business.
      this.ds.query(
        `SELECT DISTINCT ON (purpose) purpose, granted, source, contact, created_at, ticket_id
           FROM citizen_consents WHERE citizen_id = $1 AND comune_id = $2 ORDER BY purpose, id DESC`,
        [t.citizen_id, t.comune_id],
      ),
    ]);
    const byPurpose = new Map<string, any>(consents.map((c: any) => [c.purpose, c]));
    const consent = (purpose: string): ConsentView | null => {
      const c = byPurpose.get(purpose);
      return c ? { granted: c.granted, source: c.source, recordedAt: new Date(c.created_at).toISOString() } : null;
    };
    const contacts = await this.ds.query(
      `SELECT DISTINCT ON (contact) contact, created_at FROM citizen_consents
        WHERE citizen_id = $1 AND comune_id = $2 AND contact IS NOT NULL ORDER BY contact, id DESC`,
      [t.citizen_id, t.comune_id],
    );
    return {
      id: String(t.citizen_id),
      displayName: citizen[0]?.display_name ?? null,
      since: citizen[0]?.created_at ? new Date(citizen[0].created_at).toISOString() : null,
      identities: identities.map((i: any) => ({
        channel: i.channel,
        address: i.address,
        displayName: i.display_name,
        since: new Date(i.created_at).toISOString(),
      })),
      contacts: contacts.map((c: any) => ({ contact: c.contact, givenAt: new Date(c.created_at).toISOString() })),
      consent: { privacy: consent('privacy'), updates: consent('updates') },
      tickets: tickets.map(toTicketSummary),
    };
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isOpenStatus } from '../../cases/phases.js';
import type { Citizen } from '../identity/citizen-auth.js';
import type { ReplyResponse } from '../reports/reports.api.js';
import { publicState } from '../reports/public-reports.js';
import { REFERENCE, PortalReportsService } from '../reports/reports.service.js';
import { fieldError } from '../reports/submission.js';
import type { MyCase, MyCaseDetail, MyCasesResponse } from './mine.api.js';

interface CaseRow {
  reference: string;
  comune_name: string;
  comune_slug: string;
  type: string;
  category: string | null;
  status: string;
  channel: string;
  created_at: Date;
  taken_at: Date | null;
  expected_at: Date | null;
  resolved_at: Date | null;
  last_message_at: Date | null;
}

interface CaseDetailRow extends CaseRow {
  ticket_id: string;
  comune_id: number;
  address: string | null;
  messages: Array<{
    id: string;
    from: 'citizen' | 'operator' | 'system';
    text: string | null;
    at: string;
    attachments: Array<{ id: string; filename: string; contentType: string }>;
  }>;
}

const NOT_FOUND = () => fieldError(404, 'reference', 'pratica non trovata tra le tue richieste');
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * "Le mie richieste": the logged-in citizen's cases in every comune, from every linked channel.
 * Runs in the citizen's scope, which sees no comune's tickets: the rows come from the SECURITY
 * DEFINER functions `portal_my_cases()` / `portal_my_case(reference)` (migration PortalMyCases),
 * which read the account from that scope and nothing from the caller. The conversation's links
 * and the reply are the public case page's (src/portal/reports).
 */
@Injectable()
export class MyCasesService {
  constructor(
    private readonly ds: DataSource,
    private readonly reports: PortalReportsService,
  ) {}

  async list(): Promise<MyCasesResponse> {
    const rows: CaseRow[] = await this.ds.query(`SELECT * FROM portal_my_cases()`);
    return { cases: rows.map((r) => this.toCase(r)) };
  }

  async detail(reference: string): Promise<MyCaseDetail> {
    const r = await this.find(reference);
    return {
      ...this.toCase(r),
      address: r.address,
      messages: this.reports.publicMessages(r.messages),
      canReply: isOpenStatus(r.status),
    };
  }

  /** The citizen's reply from the web: a portal message joining the case through the one ingest (the case page's reply). */
  async reply(citizen: Citizen, reference: string, body: { text?: unknown; clientMessageId?: unknown }): Promise<ReplyResponse> {
    const r = await this.find(reference);
    const c = {
      id: String(r.ticket_id),
      comuneId: r.comune_id,
      comune: r.comune_name,
      reference: r.reference,
      type: r.type,
      status: r.status,
      email: citizen.email ?? '',
    };
    if (!isOpenStatus(r.status)) return this.reports.reply(c, body); // refused there, with the case page's message
    const [sender] = await this.ds.query(`SELECT portal_reply_identity($1) AS address`, [r.reference]);
    if (!sender?.address) throw NOT_FOUND();
    return this.reports.reply(c, body, sender.address);
  }

  private async find(reference: string): Promise<CaseDetailRow> {
    const ref = reference.trim().toUpperCase();
    const [r]: CaseDetailRow[] = REFERENCE.test(ref) ? await this.ds.query(`SELECT * FROM portal_my_case($1)`, [ref]) : [];
    if (!r) throw NOT_FOUND();
    return r;
  }

  private toCase(r: CaseRow): MyCase {
    return {
      reference: r.reference,
      comune: { name: r.comune_name, slug: r.comune_slug },
      type: r.type,
      category: r.category,
      state: publicState(r.status),
      channel: r.channel,
      createdAt: iso(r.created_at)!,
      takenInChargeAt: iso(r.taken_at),
      expectedBy: r.resolved_at ? null : iso(r.expected_at),
      resolvedAt: iso(r.resolved_at),
      lastMessageAt: iso(r.last_message_at),
    };
  }
}

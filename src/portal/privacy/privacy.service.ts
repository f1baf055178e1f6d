import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { OutboxRelay, appendOutbox } from '../../outbox/outbox.js';
import { asSystem } from '../../tenancy/db-scope.js';
import type { Citizen } from '../identity/citizen-auth.js';
import { LinkSigner } from '../reports/public-reports.js';
import { fieldError } from '../reports/submission.js';
import { recordPrivacyEvent } from './privacy-events.js';
import type { ErasureAccepted, MyDataCase, MyDataExport } from './privacy.api.js';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

interface DataRow {
  cases: Array<
    Omit<MyDataCase, 'messages'> & { messages: Array<Omit<MyDataCase['messages'][number], 'attachments'> & { attachments: any[] }> }
  >;
  consents: MyDataExport['consents'];
  follows: MyDataExport['follows'];
}

/**
 * The citizen's rights on the portal: the export of everything held about them (GDPR arts. 15 and 20)
 * and the erasure request (art. 17), carried out by the `privacy.erase` job (erasure.ts).
 *
 * The export runs in the citizen's scope: the account, its links and sessions through the policies of
 * the citizen scope; cases, consents and follows through the definer function `portal_my_data()`
 * (migration PrivacyRights), which reads the account from that scope and nothing from the caller.
 */
@Injectable()
export class PrivacyService {
  private readonly signer: LinkSigner;

  constructor(
    private readonly ds: DataSource,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.signer = new LinkSigner(config.jwtSecret);
  }

  async export(citizen: Citizen): Promise<MyDataExport> {
    const [account] = await this.ds.query(
      `SELECT id::text AS id, fiscal_code, given_name, family_name, email, assurance, level, created_at, last_login_at
         FROM citizen_accounts WHERE id = $1`,
      [citizen.id],
    );
    if (!account) throw fieldError(404, 'account', 'account non trovato');
    const links = await this.ds.query(
      `SELECT channel, address, linked_at FROM citizen_account_links WHERE account_id = $1 ORDER BY linked_at, id`,
      [citizen.id],
    );
    const sessions = await this.ds.query(
      `SELECT assurance, created_at, last_seen_at, expires_at FROM citizen_sessions WHERE account_id = $1 ORDER BY created_at`,
      [citizen.id],
    );
    const [{ data }] = await this.ds.query<Array<{ data: DataRow | null }>>(`SELECT portal_my_data() AS data`);
    const d: DataRow = data ?? { cases: [], consents: [], follows: [] };
    const out: MyDataExport = {
      format: 'sportello-dati-personali/1',
      generatedAt: new Date().toISOString(),
      account: {
        id: account.id,
        fiscalCode: account.fiscal_code,
        givenName: account.given_name,
        familyName: account.family_name,
        email: account.email,
        assurance: account.assurance,
        level: account.level,
        createdAt: iso(account.created_at)!,
        lastLoginAt: iso(account.last_login_at)!,
      },
      linkedIdentities: links.map((l: any) => ({ channel: l.channel, address: l.address, linkedAt: iso(l.linked_at)! })),
      sessions: sessions.map((s: any) => ({
        assurance: s.assurance,
        createdAt: iso(s.created_at)!,
        lastSeenAt: iso(s.last_seen_at)!,
        expiresAt: iso(s.expires_at)!,
      })),
      consents: d.consents.map((c) => ({ ...c, at: iso(c.at)! })),
      cases: d.cases.map((c) => ({
        ...c,
        createdAt: iso(c.createdAt)!,
        resolvedAt: iso(c.resolvedAt),
        anonymisedAt: iso(c.anonymisedAt),
        messages: c.messages.map((msg) => ({
          ...msg,
          at: iso(msg.at)!,
          attachments: msg.attachments.map((a) => ({
            id: String(a.id),
            filename: a.filename,
            contentType: a.contentType,
            sizeBytes: Number(a.sizeBytes),
            removedAt: iso(a.removedAt),
            url: a.removedAt ? null : this.signer.attachmentUrl(String(a.id)),
          })),
        })),
        ratings: c.ratings.map((r) => ({ ...r, at: iso(r.at)! })),
      })),
      follows: d.follows.map((f) => ({ ...f, since: iso(f.since)! })),
    };
    await asSystem('privacy-events', () =>
      this.ds.transaction((m) =>
        recordPrivacyEvent(m, {
          kind: 'export',
          actorType: 'citizen',
          actorId: citizen.id,
          comuneId: null,
          counts: { cases: out.cases.length, consents: out.consents.length, follows: out.follows.length },
        }),
      ),
    );
    return out;
  }

  /**
   * Records the erasure request and queues its job (through the outbox, in the same transaction), and
   * ends every session of the account. One request per account (UNIQUE account_id): a second call,
   * or twenty at once, answer the same request and queue nothing more.
   */
  async requestErasure(citizen: Citizen, body: { confirm?: unknown }): Promise<ErasureAccepted> {
    if (body.confirm !== true && body.confirm !== 'true')
      throw fieldError(400, 'confirm', 'occorre confermare la richiesta di cancellazione spuntando la casella');
    const [account] = await this.ds.query(`SELECT level FROM citizen_accounts WHERE id = $1`, [citizen.id]);
    if (!account) throw fieldError(404, 'account', 'account non trovato');
    // The account's own login: an account that reached SPID or CIE is not erased from an e-mail-code session.
    if (citizen.level < account.level)
      throw new ForbiddenException({
        statusCode: 403,
        code: 'assurance_required',
        assurance: account.level >= 3 ? 'cie' : 'spid',
        message: `per cancellare l’account occorre accedere con lo stesso livello di sicurezza dell’account (livello ${account.level})`,
      });
    const out = await asSystem('privacy-erasure', () =>
      this.ds.transaction(async (m) => {
        const [created] = await m.query(
          `INSERT INTO privacy_erasure_requests (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING RETURNING id::text AS id`,
          [citizen.id],
        );
        let requestId: string;
        if (created) {
          requestId = created.id;
          await appendOutbox(m, 'privacy.erase', { requestId });
          await recordPrivacyEvent(m, { kind: 'erasure_requested', actorType: 'citizen', actorId: citizen.id, comuneId: null, requestId });
        } else {
          const [r] = await m.query(`SELECT id::text AS id FROM privacy_erasure_requests WHERE account_id = $1`, [citizen.id]);
          requestId = r.id;
        }
        // Logged out everywhere at once.
        await m.query(`DELETE FROM citizen_sessions WHERE account_id = $1`, [citizen.id]);
        return { requestId, created: Boolean(created) };
      }),
    );
    if (out.created) this.relay.kick();
    return out;
  }
}

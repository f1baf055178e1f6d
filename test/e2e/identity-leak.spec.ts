import { adoptNoticeRecipient } from '../../src/channels/notifications/contact-adoption.js';
import { DataSource } from 'typeorm';
import { TenantScope } from '../../src/common/tenant-scope.js';
import { runInScope } from '../../src/tenancy/db-scope.js';
import { login, startApp, type TestApp } from '../support/harness.js';
import { comuneId, ticketByReference } from '../support/factories.js';

/**
 * A citizen is a person of the whole metropolitan area: one person may be known to several comuni
 * (the same fiscal code given at two desks). What a comune's staff see of them must still be what
 * reached that comune: an identity that became the citizen's at Bari (an e-mail address adopted
 * from her reply to Bari's notice) is Bari's business, not Modugno's.
 *
 * Expected to fail until citizen identities are scoped per comune (the identity-model change):
 * today the ticket view and the citizen panel list every identity of the citizen, of every comune.
 */
describe('citizen identities of a citizen shared by two comuni', () => {
  let t: TestApp;
  let tok: Record<'bariSup' | 'modSup' | 'modMgr', string>;
  let bariTicket: { id: string };
  let modTicket: { id: string };
  const FISCAL_CODE = 'RSSMRA80A41A662X';
  const BARI_ONLY = 'maria.rossi.bari@example.it';

  beforeAll(async () => {
    t = await startApp();
    const [bariSup, modSup, modMgr, bari] = await Promise.all([
      login(t, 'supervisore@bari.demo'),
      login(t, 'supervisore@modugno.demo'),
      login(t, 'manager@modugno.demo'),
      comuneId(t.ds, 'bari'),
    ]);
    tok = { bariSup, modSup, modMgr };
    const desk = (token: string, citizen: { name: string; fiscalCode: string; email?: string }) =>
      t.http
        .post('/api/console/tickets')
        .set('Authorization', `Bearer ${token}`)
        .send({ channel: 'desk', citizen, text: 'Richiesta allo sportello', privacyConsent: true, updatesConsent: Boolean(citizen.email) });
    // Maria at Bari's desk, with her fiscal code and an e-mail for updates.
    const atBari = await desk(bariSup, { name: 'Maria Rossi', fiscalCode: FISCAL_CODE, email: BARI_ONLY });
    expect(atBari.status).toBe(201);
    bariTicket = { id: String(atBari.body.ticketId) };
    // Bari's notice went to that address, and she answered from it: the address became one of her
    // identities (what the notifier and the e-mail channel do, done here without a mail server).
    await t.ds.query(
      `INSERT INTO messages (ticket_id, comune_id, direction, author_type, internal, text, channel, delivery_status, recipient_address)
       VALUES ($1, $2, 'outbound', 'system', false, 'La sua richiesta è stata presa in carico', 'email', 'sent', $3)`,
      [bariTicket.id, bari, BARI_ONLY],
    );
    expect(
      await runInScope(TenantScope.ofComune(bari), () =>
        adoptNoticeRecipient(t.app.get(DataSource), { channel: 'email', address: BARI_ONLY, displayName: null, comuneId: bari }),
      ),
    ).toBe(atBari.body.ticketReference);
    // Then at Modugno's desk, with the same fiscal code: the same person, a Modugno ticket.
    const atModugno = await desk(modSup, { name: 'Maria Rossi', fiscalCode: FISCAL_CODE });
    expect(atModugno.status).toBe(201);
    modTicket = { id: String(atModugno.body.ticketId) };
    const [b, m] = await Promise.all([
      ticketByReference(t.ds, atBari.body.ticketReference),
      ticketByReference(t.ds, atModugno.body.ticketReference),
    ]);
    expect(m.citizen_id).toBe(b.citizen_id);
  });
  afterAll(async () => {
    await t?.close();
  });

  const addresses = async (path: string, token: string) => {
    const res = await t.http.get(path).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    return (res.body.citizen?.identities ?? res.body.identities).map((i: { address: string }) => i.address) as string[];
  };

  it("shows Bari's staff the identities that reached Bari (control)", async () => {
    for (const path of [`/api/tickets/${bariTicket.id}`, `/api/console/tickets/${bariTicket.id}/citizen`]) {
      expect(await addresses(path, tok.bariSup)).toEqual(expect.arrayContaining([`cf:${FISCAL_CODE}`, BARI_ONLY]));
    }
  });

  it("does not show Modugno's staff the identities the citizen has at Bari, on the ticket view or the citizen panel", async () => {
    const views = await Promise.all(
      (['modSup', 'modMgr'] as const).flatMap((who) =>
        [`/api/tickets/${modTicket.id}`, `/api/console/tickets/${modTicket.id}/citizen`].map(async (path) => ({
          who,
          path,
          seen: await addresses(path, tok[who]),
        })),
      ),
    );
    // What Modugno itself was given stays visible; what only Bari knows does not.
    expect(views.filter((v) => !v.seen.includes(`cf:${FISCAL_CODE}`))).toEqual([]);
    expect(views.filter((v) => v.seen.includes(BARI_ONLY))).toEqual([]);
  });
});

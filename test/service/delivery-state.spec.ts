import { OutboundDelivery } from '../../src/channels/outbound-delivery.js';
import { TenantScope } from '../../src/common/tenant-scope.js';
import { inScope, startApp, type TestApp } from '../support/harness.js';

/** Providers report delivery out of order; what the operator sees only ever moves forward. */
describe('delivery state of an outbound message', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('moves queued → sent → delivered → read, never back, and failed is final', async () => {
    const res = await t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bari')
      .send({ messageId: 'ds-1', citizen: { id: 'ds' }, text: 'ciao' });
    const [ticket] = await t.ds.query(`SELECT id, comune_id FROM tickets WHERE reference = $1`, [res.body.ticketReference]);
    const [m] = await t.ds.query(
      `INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, delivery_status)
       VALUES ($1, $2, 'outbound', 'operator', 'risposta', 'app', 'queued') RETURNING id`,
      [ticket.id, ticket.comune_id],
    );
    const delivery = inScope(TenantScope.ofComune(ticket.comune_id), t.app.get(OutboundDelivery));
    const state = async () => (await t.ds.query(`SELECT delivery_status, external_id FROM messages WHERE id = $1`, [m.id]))[0];

    expect(await delivery.setStatus(String(m.id), 'delivered', null)).toBe(true);
    // Our own "sent", recorded after the provider already said "delivered", does not undo it — but keeps the provider's id.
    expect(await delivery.setStatus(String(m.id), 'sent', null, 'wamid.X1')).toBe(false);
    expect(await state()).toEqual({ delivery_status: 'delivered', external_id: 'wamid.X1' });
    expect(await delivery.setStatus(String(m.id), 'read', null)).toBe(true);
    expect(await delivery.setStatus(String(m.id), 'delivered', null)).toBe(false);
    expect((await state()).delivery_status).toBe('read');
    expect(await delivery.setStatus(String(m.id), 'failed', 'rifiutato')).toBe(true);
    expect(await delivery.setStatus(String(m.id), 'read', null)).toBe(false);
    expect(await delivery.setStatus(String(m.id), 'failed', 'di nuovo')).toBe(false);
    expect((await state()).delivery_status).toBe('failed');
  });

  it('loses no report that races with the send storing the provider id', async () => {
    const res = await t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bari')
      .send({ messageId: 'ds-2', citizen: { id: 'ds2' }, text: 'ciao' });
    const [ticket] = await t.ds.query(`SELECT id, comune_id FROM tickets WHERE reference = $1`, [res.body.ticketReference]);
    const delivery = inScope(TenantScope.ofComune(ticket.comune_id), t.app.get(OutboundDelivery));
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const [m] = await t.ds.query(
        `INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, delivery_status)
         VALUES ($1, $2, 'outbound', 'operator', 'risposta', 'app', 'queued') RETURNING id`,
        [ticket.id, ticket.comune_id],
      );
      ids.push(String(m.id));
    }
    // The send's result and the provider's "delivered" (sent twice) at the same moment, in every interleaving the scheduler picks.
    const pause = () => new Promise((r) => setTimeout(r, Math.random() * 5));
    await Promise.all(
      ids.flatMap((id) => [
        pause().then(() => delivery.setStatus(id, 'sent', null, `race-${id}`)),
        pause().then(() => delivery.reportStatus('app', `race-${id}`, 'delivered', null)),
        pause().then(() => delivery.reportStatus('app', `race-${id}`, 'delivered', null)),
      ]),
    );
    const rows = await t.ds.query(`SELECT delivery_status, count(*)::int AS n FROM messages WHERE id = ANY($1::bigint[]) GROUP BY 1`, [
      ids,
    ]);
    expect(rows).toEqual([{ delivery_status: 'delivered', n: 40 }]);
    expect(await t.ds.query(`SELECT external_id FROM early_delivery_reports WHERE external_id LIKE 'race-%'`)).toEqual([]);
  });
});

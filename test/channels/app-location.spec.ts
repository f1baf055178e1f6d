import { startApp, type TestApp } from '../support/harness.js';

/**
 * The app channel refuses a position that lies in no comune of the Metropolitan City (422 naming
 * `location`) instead of filing it under the comune whose key sent it.
 */
describe('app channel positions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (messageId: string, location: { lat: number; lng: number }, type = 'report') =>
    t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bari')
      .send({ messageId, citizen: { id: 'u-sea' }, type, text: 'Rifiuti abbandonati', location });
  const count = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE channel = 'app'`))[0].n as number;

  it('answers 422 naming location for a report in the sea, storing nothing', async () => {
    const before = await count();
    const res = await send('sea-1', { lat: 41.2, lng: 16.95 });
    expect(res.status).toBe(422);
    expect(res.body.fields).toEqual([{ field: 'location', message: 'is outside every comune of the Metropolitan City of Bari' }]);
    // Any ticket type: a position is the ticket's place.
    expect((await send('sea-2', { lat: 41.2, lng: 16.95 }, 'request')).status).toBe(422);
    expect(await count()).toBe(before);
  });

  it('still files a report inside another comune under that comune', async () => {
    const res = await send('modugno-1', { lat: 41.0833, lng: 16.7833 });
    expect(res.status).toBe(201);
    const [row] = await t.ds.query(`SELECT c.slug FROM tickets t JOIN comuni c ON c.id = t.comune_id WHERE t.reference = $1`, [
      res.body.ticketReference,
    ]);
    expect(row.slug).toBe('modugno');
  });
});
